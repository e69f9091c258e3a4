import { connectorEnv } from '@finmesh/connector-kit';
import { integerEnv, jsonEnv, loadConfig, secret } from '@finmesh/service-runtime';
import { z } from 'zod';

/** INDX documents no precision per currency; these are the ISO 4217 / token ones, extendable by INDX_ASSETS. */
export const DEFAULT_INDX_ASSETS: Readonly<Record<string, number>> = { USD: 2, EUR: 2, SGD: 2, GBP: 2, USDC: 6 };

export const IndxConfigSchema = z.object({
  ...connectorEnv({ name: 'indx', port: 3201, rateLimit: { requestsPerSecond: 10, burst: 20 } }),
  /** Scheme, host and base path of the INDX Customer API (the sandbox: `http://127.0.0.1:4010/indx`). */
  INDX_BASE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).transform((value) => value.replace(/\/+$/, '')),
  INDX_API_KEY: z.string().regex(/^[\x21-\x7e]{1,256}$/, { message: 'must be 1-256 printable ASCII characters' }),
  INDX_API_SECRET: secret(z.string().min(8, { message: 'must be at least 8 characters' })),
  /** Transactions per page (INDX allows 1-500). */
  INDX_TRANSACTIONS_PAGE_SIZE: integerEnv({ min: 1, max: 500 }).default(100),
  /** How far before the last seen transaction the next incremental run starts (late-arriving entries). */
  INDX_TRANSACTIONS_OVERLAP_MS: integerEnv({ min: 0, max: 30 * 86_400_000 }).default(0),
  /** Accounts whose balance (or deposit locations) are read per sync page. */
  INDX_ACCOUNTS_PER_PAGE: integerEnv({ min: 1, max: 500 }).default(25),
  /** Extra or overriding currency precisions, e.g. `{"JPY":0}`. */
  INDX_ASSETS: jsonEnv(z.record(z.string().regex(/^[A-Z0-9]{2,12}$/), z.number().int().min(0).max(36))).default({}),
});

export type IndxConfig = z.output<typeof IndxConfigSchema>;

export function loadIndxConfig(env: NodeJS.ProcessEnv = process.env): IndxConfig {
  return loadConfig(IndxConfigSchema, env);
}
