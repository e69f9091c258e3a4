import { connectorEnv } from '@finmesh/connector-kit';
import { integerEnv, loadConfig, secret } from '@finmesh/service-runtime';
import { z } from 'zod';

export const __Name__ConfigSchema = z.object({
  // The provider's documented rate limit goes here.
  ...connectorEnv({ name: '__name__', port: __port__, rateLimit: { requestsPerSecond: 10, burst: 10 } }),
  /** Scheme, host and base path of the provider's API (the sandbox's base URL in tests). */
  __NAME___BASE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).transform((value) => value.replace(/\/+$/, '')),
  __NAME___API_TOKEN: secret(z.string().min(8, { message: 'must be at least 8 characters' })),
  /** Items per page of the provider's list endpoints. */
  __NAME___PAGE_SIZE: integerEnv({ min: 1, max: 1_000 }).default(100),
});

export type __Name__Config = z.output<typeof __Name__ConfigSchema>;

export function load__Name__Config(env: NodeJS.ProcessEnv = process.env): __Name__Config {
  return loadConfig(__Name__ConfigSchema, env);
}
