import { connectorEnv } from '@finmesh/connector-kit';
import { booleanEnv, integerEnv, jsonEnv, loadConfig, secret } from '@finmesh/service-runtime';
import { z } from 'zod';

/** FinDIGI names currencies without their precision; these are the ISO 4217 / token ones, extendable by FINDIGI_ASSETS. */
export const DEFAULT_FINDIGI_ASSETS: Readonly<Record<string, number>> = { IDR: 0, SGD: 2, USD: 2, EUR: 2, USDC: 6, USDT: 6 };

export const FindigiConfigSchema = z
  .object({
    ...connectorEnv({ name: 'findigi', port: 3204, rateLimit: { requestsPerSecond: 10, burst: 20 } }),
    /** Scheme, host and base path in front of `/api` (the sandbox: `http://127.0.0.1:4010/findigi`). */
    FINDIGI_BASE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).transform((value) => value.replace(/\/+$/, '')),
    /** `sandbox`: every request carries `x-findigi-is-test: true`. */
    FINDIGI_MODE: z.enum(['production', 'sandbox']).default('production'),
    FINDIGI_EMAIL: z.email({ message: 'must be an email address' }),
    FINDIGI_PASSWORD: secret(z.string().min(1)),
    /** Base32 TOTP secret (RFC 6238, 6 digits, 30 s) for accounts with 2FA. */
    FINDIGI_TOTP_SECRET: secret(z.string().regex(/^[A-Z2-7]+=*$/i, { message: 'must be base32' })).optional(),
    /** A fixed 2FA code (the sandbox's); used when no TOTP secret is set. */
    FINDIGI_2FA_CODE: secret(z.string().regex(/^\d{6}$/, { message: 'must be 6 digits' })).optional(),
    /** The workspace (`client_id` from `/api/auth/my-clients`) this instance serves; optional when the user has exactly one. */
    FINDIGI_CLIENT_ID: z.string().min(1).max(128).optional(),
    /** Log in again this long before the JWT's `exp`. */
    FINDIGI_TOKEN_REFRESH_MARGIN_MS: integerEnv({ min: 0, max: 3_600_000 }).default(60_000),
    /** Wallet history / FinVault transactions per page (FinDIGI allows 1-200). */
    FINDIGI_PAGE_SIZE: integerEnv({ min: 1, max: 200 }).default(100),
    /** Extra or overriding currency precisions, e.g. `{"MYR":2}`. */
    FINDIGI_ASSETS: jsonEnv(z.record(z.string().regex(/^[A-Z0-9]{2,12}$/), z.number().int().min(0).max(36))).default({}),
    /** `GET /v1/fx/tickers`: a rate older than this is flagged stale (the request's `minFreshSeconds` overrides it). */
    FINDIGI_FX_MIN_FRESH_SECONDS: integerEnv({ min: 0, max: 86_400 }).default(15),
    /** Read FinVault (custodial crypto) wallets too. */
    FINDIGI_FINVAULT_ENABLED: booleanEnv().default(true),
  })
  .superRefine((config, context) => {
    if (config.FINDIGI_TOTP_SECRET !== undefined && config.FINDIGI_2FA_CODE !== undefined) {
      context.addIssue({ code: 'custom', path: ['FINDIGI_2FA_CODE'], message: 'set FINDIGI_TOTP_SECRET or FINDIGI_2FA_CODE, not both' });
    }
  });

export type FindigiConfig = z.output<typeof FindigiConfigSchema>;

export function loadFindigiConfig(env: NodeJS.ProcessEnv = process.env): FindigiConfig {
  return loadConfig(FindigiConfigSchema, env);
}
