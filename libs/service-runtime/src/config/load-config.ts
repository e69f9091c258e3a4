import { z } from 'zod';

/** The environment as services read it: every value a string, or absent. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface ConfigProblem {
  /** The environment variable, e.g. `KAFKA_BROKERS`. */
  variable: string;
  /** What is wrong with it; never contains the value of a secret. */
  message: string;
}

/**
 * A configuration that cannot start the service. The message lists every bad variable at once
 * (fixing them one boot at a time is slow), and never prints the value of a secret.
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((problem) => `  - ${problem.variable}: ${problem.message}`);
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const secretSchemas = z.registry<{ secret: true }>();

/**
 * Marks a variable as secret: loadConfig never prints its value, not even in the message of a
 * refinement the schema itself defines. Wrapping it afterwards (`.optional()`, `.default()`,
 * `.transform()`) keeps the mark.
 */
export function secret<Schema extends z.ZodType>(schema: Schema): Schema {
  secretSchemas.add(schema, { secret: true });
  return schema;
}

/** True when the schema, or a schema it wraps, was marked with `secret()`. */
export function isSecretSchema(schema: z.ZodType | undefined, depth = 0): boolean {
  if (schema === undefined || depth > 10) return false;
  if (secretSchemas.has(schema)) return true;
  const def = schema._zod.def as { innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType };
  return (
    isSecretSchema(def.innerType, depth + 1) || isSecretSchema(def.in, depth + 1) || isSecretSchema(def.out, depth + 1)
  );
}

export interface LoadConfigOptions {
  /** Variables to treat as secret in addition to those marked with `secret()`. */
  secretVariables?: readonly string[];
}

/**
 * Pass as `params` of a custom issue whose message is known not to quote the value: loadConfig
 * then shows it for secret variables too.
 */
export const VALUE_FREE_MESSAGE = { valueFree: true } as const;

const SHOWN_VALUE_LENGTH = 80;
const REDACTED = '[REDACTED]';

/**
 * Reads the environment once into a typed, validated object. An empty variable counts as unset
 * (deployment templates often render missing values as ""). Throws ConfigError naming every
 * variable that is missing or malformed and why; the values of secret variables never appear in
 * it, and non-secret values are quoted (shortened) to make the mistake obvious.
 */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: Environment = process.env,
  options: LoadConfigOptions = {},
): z.output<Schema> {
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  const secretNames = new Set(options.secretVariables ?? []);
  for (const [name, field] of Object.entries(shape)) {
    if (isSecretSchema(field)) secretNames.add(name);
  }
  const secretValues = [...secretNames].map((name) => input[name]).filter((value): value is string => value !== undefined);

  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const [head, ...rest] = issue.path;
    const variable = typeof head === 'string' ? head : '(configuration)';
    const isSecret = secretNames.has(variable);
    const value = input[variable];
    const where = rest.length > 0 ? `${rest.map(String).join('.')}: ` : '';
    let message: string;
    if (value === undefined && rest.length === 0 && issue.code === 'invalid_type') {
      message = 'is required';
    } else if (isSecret && issue.code === 'custom' && (issue.params as { valueFree?: unknown } | undefined)?.valueFree !== true) {
      // A custom rule's message may quote what it checked; for a secret, say only that it failed.
      message = `${where}is not valid (secret: value not shown)`;
    } else {
      message = `${where}${issue.message}`;
      if (isSecret) message = `${message} (secret: value not shown)`;
      else if (value !== undefined && rest.length === 0) message = `${message} (got ${JSON.stringify(shorten(value))})`;
    }
    // Helpers such as parseBrokerList start their messages with the variable's name; it is already said.
    if (message.startsWith(`${variable} `)) message = message.slice(variable.length + 1);
    problems.push({ variable, message: scrub(message, secretValues) });
  }
  throw new ConfigError(problems);
}

function shorten(value: string): string {
  return value.length > SHOWN_VALUE_LENGTH ? `${value.slice(0, SHOWN_VALUE_LENGTH)}…` : value;
}

/** Last line of defence: a secret's value never survives into a message, wherever it came from. */
function scrub(message: string, secretValues: readonly string[]): string {
  let scrubbed = message;
  for (const value of secretValues) {
    if (value.length >= 4) scrubbed = scrubbed.split(value).join(REDACTED);
  }
  return scrubbed;
}
