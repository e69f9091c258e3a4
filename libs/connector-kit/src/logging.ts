import type { Logger } from 'pino';

/** The kit logs through this; a pino logger (createLogger of service-runtime) fits it via pinoConnectorLogger. */
export interface ConnectorLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const silentLogger: ConnectorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function pinoConnectorLogger(logger: Logger): ConnectorLogger {
  return {
    debug: (message, extra) => logger.debug(extra ?? {}, message),
    info: (message, extra) => logger.info(extra ?? {}, message),
    warn: (message, extra) => logger.warn(extra ?? {}, message),
    error: (message, extra) => logger.error(extra ?? {}, message),
  };
}

/** An error's message for logs and stored state (never its stack with request data). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
