import { SENSITIVE_HEADER_NAMES } from '@finmesh/schemas';

export const LOG_REDACTED = '[REDACTED]';

/**
 * Field names whose values are credentials or account numbers wherever they appear in a logged
 * object (request bodies, provider responses, errors): top level and two levels down.
 */
export const SENSITIVE_FIELD_NAMES: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'apiSecret',
  'api_secret',
  'clientSecret',
  'client_secret',
  'privateKey',
  'private_key',
  'authorization',
  'iban',
  'accountNumber',
  'account_number',
  'bankAccountNumber',
  'bank_account_number',
  'cardNumber',
  'card_number',
  'pan',
];

/** Header names redacted in logs: the event contract's list plus a few more a proxy may add. */
export const SENSITIVE_LOG_HEADERS: readonly string[] = [
  ...new Set([...SENSITIVE_HEADER_NAMES, 'x-admin-token', 'x-indexo-notification-token', 'x-api-secret']),
];

function field(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `["${name}"]`;
}

/** pino `redact.paths` for finmesh services, plus any a service adds. */
export function redactionPaths(extra: readonly string[] = []): string[] {
  const paths = new Set<string>();
  for (const header of SENSITIVE_LOG_HEADERS) {
    for (const holder of ['req.headers', 'res.headers', 'headers', '*.headers']) paths.add(`${holder}${field(header)}`);
  }
  for (const name of SENSITIVE_FIELD_NAMES) {
    paths.add(name);
    paths.add(`*${field(name)}`);
    paths.add(`*.*${field(name)}`);
  }
  for (const path of extra) paths.add(path);
  return [...paths];
}
