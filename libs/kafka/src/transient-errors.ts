/** Node network error codes that mean "the other side is not reachable right now". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * PostgreSQL SQLSTATEs worth retrying: connection exceptions (08…), insufficient resources (53…),
 * operator intervention such as a restart (57P01–57P03), serialization failure and deadlock.
 */
function isTransientPostgresCode(code: string): boolean {
  return (
    code.startsWith('08') ||
    code.startsWith('53') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '40001' ||
    code === '40P01'
  );
}

/** An error type a component throws to say "retry me later" explicitly. */
export class TransientError extends Error {
  readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/**
 * Decides whether a failure is about infrastructure (retry, never dead-letter) rather than about
 * the message. Looks through `cause` chains; kafkajs marks its own retriable errors.
 */
export function isTransientError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const candidate = error as { transient?: unknown; retriable?: unknown; code?: unknown; cause?: unknown; message?: unknown };
  if (candidate.transient === true || candidate.retriable === true) return true;
  if (typeof candidate.code === 'string' && (NETWORK_CODES.has(candidate.code) || isTransientPostgresCode(candidate.code))) {
    return true;
  }
  if (typeof candidate.message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(candidate.message)) {
    return true;
  }
  return isTransientError(candidate.cause, depth + 1);
}
