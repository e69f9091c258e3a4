import { connectorEnv } from '@finmesh/connector-kit';
import { integerEnv, jsonEnv, loadConfig, secret } from '@finmesh/service-runtime';
import { z } from 'zod';

const PAIR = /^[a-z0-9]{2,12}_[a-z0-9]{2,12}$/;

export const IndodaxConfigSchema = z.object({
  ...connectorEnv({ name: 'indodax', port: 3203, rateLimit: { requestsPerSecond: 20, burst: 20 } }),
  /** Scheme, host and base path of the TAPI, without `/tapi` (production `https://indodax.com`, the sandbox `http://127.0.0.1:4010/indodax`). */
  INDODAX_BASE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).transform((value) => value.replace(/\/+$/, '')),
  INDODAX_API_KEY: z.string().regex(/^[\x21-\x7e]{1,256}$/, { message: 'must be 1-256 printable ASCII characters' }),
  INDODAX_SECRET_KEY: secret(z.string().min(16, { message: 'must be at least 16 characters' })),
  /** Pairs whose trades and orders are synced (tradeHistory and orderHistory need a pair). */
  INDODAX_PAIRS: z
    .string()
    .transform((value) => value.split(',').map((pair) => pair.trim().toLowerCase()).filter((pair) => pair !== ''))
    .pipe(z.array(z.string().regex(PAIR, { message: 'each pair must look like btc_idr' })).min(1))
    .default(['btc_idr', 'eth_idr', 'usdt_idr', 'ltc_btc', 'doge_btc']),
  /** First WIB day (YYYY-MM-DD) transHistory is read from on the very first run; default: INDODAX_HISTORY_DAYS before it. */
  INDODAX_HISTORY_START: z.iso.date().optional(),
  INDODAX_HISTORY_DAYS: integerEnv({ min: 1, max: 3650 }).default(30),
  /** Documented limits, enforced before sending: trade requests per pair and cancel requests, per second. */
  INDODAX_TRADE_REQUESTS_PER_SECOND: integerEnv({ min: 1, max: 20 }).default(20),
  INDODAX_CANCEL_REQUESTS_PER_SECOND: integerEnv({ min: 1, max: 30 }).default(30),
  /** Added to the one-second windows of the two limits above: requests can bunch on the way to Indodax. */
  INDODAX_RATE_WINDOW_MARGIN_MS: integerEnv({ min: 0, max: 5_000 }).default(200),
  /** How long a pair stays blocked after a 429 (documented: 5 seconds). */
  INDODAX_TRADE_BLOCK_MS: integerEnv({ min: 0, max: 600_000 }).default(5_000),
  /** Orders read per pair and sync run (orderHistory `count`). */
  INDODAX_ORDER_HISTORY_COUNT: integerEnv({ min: 1, max: 1000 }).default(1000),
  /** Currency precisions beyond the defaults (IDR 0, every coin 8, as Indodax renders them), e.g. `{"shib":0}`. */
  INDODAX_ASSETS: jsonEnv(z.record(z.string().regex(/^[a-z0-9]{1,32}$/), z.number().int().min(0).max(36))).default({}),
  /** Connections of the connector's own pool (nonce lock per API key, withdrawal records). */
  INDODAX_DB_POOL_SIZE: integerEnv({ min: 2, max: 50 }).default(3),
});

export type IndodaxConfig = z.output<typeof IndodaxConfigSchema>;

export function loadIndodaxConfig(env: NodeJS.ProcessEnv = process.env): IndodaxConfig {
  return loadConfig(IndodaxConfigSchema, env);
}
