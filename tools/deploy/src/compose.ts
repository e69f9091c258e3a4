import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';

/**
 * Reads docker-compose.yml as `docker compose` does for the checks in compose.spec.ts: YAML with
 * merge keys, then `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`
 * and `$$` interpolated in every string from a .env file, then validated against the Compose
 * specification's JSON schema (the copy the `dclint` package ships).
 */
export type ComposeFile = Record<string, unknown> & { services: Record<string, ComposeService> };
export interface ComposeService {
  image?: string;
  build?: { context?: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  read_only?: boolean;
  volumes?: string[];
}

export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) throw new Error(`.env line is not NAME=value: ${trimmed.slice(0, 40)}`);
    values.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  return values;
}

/** The variables a text refers to, and the text with them replaced; a missing one without default fails. */
export function interpolate(text: string, env: ReadonlyMap<string, string>, used: Set<string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match: string, braced?: string, operator?: string, argument?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = braced ?? bare ?? '';
    used.add(name);
    const value = env.get(name);
    const unsetOrEmpty = value === undefined || (operator?.startsWith(':') === true && value === '');
    switch (operator) {
      case ':-':
      case '-':
        return unsetOrEmpty ? (argument ?? '') : (value ?? '');
      case ':?':
      case '?':
        if (unsetOrEmpty) throw new Error(`${name} is required: ${argument ?? ''}`);
        return value ?? '';
      default:
        if (value === undefined) throw new Error(`${name} is not set and has no default`);
        return value;
    }
  });
}

function interpolateAll(value: unknown, env: ReadonlyMap<string, string>, used: Set<string>): unknown {
  if (typeof value === 'string') return interpolate(value, env, used);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env, used));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env, used)]));
  }
  return value;
}

export function loadCompose(composeFile: string, envFile: string): { compose: ComposeFile; used: Set<string> } {
  const document = parseDocument(readFileSync(composeFile, 'utf8'), { merge: true });
  if (document.errors.length > 0) throw new Error(`${composeFile}: ${document.errors[0]?.message ?? 'YAML error'}`);
  const used = new Set<string>();
  const compose = interpolateAll(document.toJS(), parseEnvFile(readFileSync(envFile, 'utf8')), used) as ComposeFile;
  return { compose, used };
}

export function composeSchemaErrors(compose: unknown): ErrorObject[] {
  const schemaFile = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  // The schema is draft-07; Ajv's default meta-schema, under its canonical URI.
  delete schema['$schema'];
  const validate = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
  return validate(compose) ? [] : (validate.errors ?? []);
}
