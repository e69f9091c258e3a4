import { connectorEnv } from '@finmesh/connector-kit';
import { integerEnv, jsonEnv, loadConfig, secret } from '@finmesh/service-runtime';
import { z } from 'zod';

/**
 * Fin X names a currency but not its precision; these are the ISO 4217 minor units (the
 * connector never guesses one). FINX_ASSETS adds or overrides entries.
 */
export const DEFAULT_FINX_ASSETS: Readonly<Record<string, number>> = {
  AUD: 2,
  CAD: 2,
  CHF: 2,
  EUR: 2,
  GBP: 2,
  IDR: 0,
  JPY: 0,
  MYR: 2,
  PHP: 2,
  SGD: 2,
  THB: 2,
  USD: 2,
  VND: 0,
};

export const FinxConfigSchema = z.object({
  ...connectorEnv({ name: 'finx', port: 3205, rateLimit: { requestsPerSecond: 10, burst: 20 } }),
  /** Scheme, host and base path of the Fin X API (the sandbox: `http://127.0.0.1:4010/finx`). */
  FINX_BASE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).transform((value) => value.replace(/\/+$/, '')),
  /** The Fin X API token, sent as `Authorization: Bearer <token>`. */
  FINX_API_TOKEN: secret(z.string().regex(/^[A-Za-z0-9\-._~+/]{8,512}=*$/, { message: 'must be an RFC 6750 bearer token of at least 8 characters' })),
  /** Accounts per list page (Fin X allows 1-100). */
  FINX_PAGE_SIZE: integerEnv({ min: 1, max: 100 }).default(100),
  /** Extra or overriding currency precisions, e.g. `{"KWD":3}`. */
  FINX_ASSETS: jsonEnv(z.record(z.string().regex(/^[A-Z]{3}$/), z.number().int().min(0).max(36))).default({}),
});

export type FinxConfig = z.output<typeof FinxConfigSchema>;

export function loadFinxConfig(env: NodeJS.ProcessEnv = process.env): FinxConfig {
  return loadConfig(FinxConfigSchema, env);
}
