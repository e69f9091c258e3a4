import { connectorEnv } from '@finmesh/connector-kit';
import { booleanEnv, integerEnv, loadConfig, secret } from '@finmesh/service-runtime';
import { parseQwacCertificate, type QwacCertificate } from '@finmesh/signing';
import { isIP } from 'node:net';
import { z } from 'zod';

/** The PSU-ID the documented INDEXO sandbox requires instead of a personal code. */
export const SANDBOX_PSU_ID = 'SANDBOX_INDICATOR_1';
const PERSONAL_CODE = /^\d{6}-\d{5}$/;

export const IndexoConfigSchema = z
  .object({
    ...connectorEnv({ name: 'indexo', port: 3202, rateLimit: { requestsPerSecond: 10, burst: 20 } }),
    /** Scheme, host and base path in front of `/external/openbanking/api` (production `https://apis.indexo.lv`, the sandbox `http://127.0.0.1:4010/indexo`). */
    INDEXO_BASE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).transform((value) => value.replace(/\/+$/, '')),
    /** `production`: PSU-ID is a personal code, consents may cover all accounts, the debtor is optional. `sandbox`: the documented sandbox rules. */
    INDEXO_MODE: z.enum(['production', 'sandbox']).default('production'),
    INDEXO_SUBSCRIPTION_KEY: secret(z.string().regex(/^[\x21-\x7e]{8,256}$/, { message: 'must be 8-256 printable ASCII characters' })),
    /** The QWAC certificate (PEM, PEM with `\n`, or base64 DER) sent as `x-clientcert`. */
    INDEXO_QWAC_CERTIFICATE: z.string().min(1).transform((value, context): QwacCertificate => {
      try {
        return parseQwacCertificate(value);
      } catch (error: unknown) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'is not a certificate' });
        return z.NEVER;
      }
    }),
    /** The PSU whose accounts finmesh reads: a personal code `XXXXXX-XXXXX` (production) or `SANDBOX_INDICATOR_1` (sandbox). */
    INDEXO_PSU_ID: z.string().min(1),
    /** The PSU's IP address sent as `PSU-IP-Address`. */
    INDEXO_PSU_IP_ADDRESS: z.string().refine((value) => isIP(value) !== 0, { message: 'must be an IP address' }),
    /** The ingress's INDEXO notification URL (`https://<ingress>/callbacks/indexo/notifications/<token>`); unset: polling only. */
    INDEXO_NOTIFICATION_URI: secret(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' })).optional(),
    /** Consent SCA polling: first delay, backoff ceiling, and how long the PSU has before the consent counts as failed. */
    INDEXO_SCA_POLL_INITIAL_MS: integerEnv({ min: 10, max: 600_000 }).default(2_000),
    INDEXO_SCA_POLL_MAX_MS: integerEnv({ min: 10, max: 3_600_000 }).default(30_000),
    INDEXO_SCA_TIMEOUT_MS: integerEnv({ min: 1_000, max: 86_400_000 }).default(600_000),
    /** How often the consent tracker runs (SCA polls, consent status checks, expiry reports). */
    INDEXO_CONSENT_CHECK_INTERVAL_MS: integerEnv({ min: 10, max: 3_600_000 }).default(5_000),
    /** How often a valid consent's status is re-read (revocation, expiry at the bank). */
    INDEXO_CONSENT_STATUS_INTERVAL_MS: integerEnv({ min: 100, max: 86_400_000 }).default(3_600_000),
    /** A consent ending within this many days is reported (log and API) so a new one can be authorised in time. */
    INDEXO_CONSENT_EXPIRY_WARNING_DAYS: integerEnv({ min: 0, max: 365 }).default(7),
    /** How many days of booked history the first transactions run of an account reads. */
    INDEXO_TRANSACTIONS_HISTORY_DAYS: integerEnv({ min: 1, max: 730 }).default(90),
    /** Start the consent tracker in this replica. */
    INDEXO_CONSENT_TRACKER_ENABLED: booleanEnv().default(true),
  })
  .superRefine((config, context) => {
    if (config.INDEXO_MODE === 'sandbox' && config.INDEXO_PSU_ID !== SANDBOX_PSU_ID) {
      context.addIssue({ code: 'custom', path: ['INDEXO_PSU_ID'], message: `must be ${SANDBOX_PSU_ID} when INDEXO_MODE is sandbox` });
    }
    if (config.INDEXO_MODE === 'production' && !PERSONAL_CODE.test(config.INDEXO_PSU_ID)) {
      context.addIssue({ code: 'custom', path: ['INDEXO_PSU_ID'], message: 'must be a personal code formatted XXXXXX-XXXXX' });
    }
    if (config.INDEXO_SCA_POLL_MAX_MS < config.INDEXO_SCA_POLL_INITIAL_MS) {
      context.addIssue({ code: 'custom', path: ['INDEXO_SCA_POLL_MAX_MS'], message: 'must not be below INDEXO_SCA_POLL_INITIAL_MS' });
    }
  });

export type IndexoConfig = z.output<typeof IndexoConfigSchema>;

export function loadIndexoConfig(env: NodeJS.ProcessEnv = process.env): IndexoConfig {
  return loadConfig(IndexoConfigSchema, env);
}
