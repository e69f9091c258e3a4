import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule, type Params } from 'nestjs-pino';
import { pino, type DestinationStream, type LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { LogLevel } from '../config/env-fields';
import { censorHeaders, censorSensitive, LOG_REDACTED } from './redaction';
import { correlationIdOf, requestIdOf } from './request-context';

export interface LoggingOptions {
  /** The service name, on every line (`service`). */
  service: string;
  level: LogLevel;
  /**
   * pino redaction paths on top of the built-in censoring (sensitive field names at any depth of a
   * logged object, sensitive request headers), e.g. for a binding of a child logger.
   */
  redactPaths?: readonly string[];
  /** Paths whose successful requests are not logged (probes and scrapes would drown the rest). */
  quietPaths?: readonly string[];
  /**
   * Rewrites the logged request path, e.g. to mask a secret path segment. The query string is
   * never logged (tokens travel in query strings more often than anyone admits).
   */
  redactPath?: (path: string) => string;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

export const DEFAULT_QUIET_PATHS: readonly string[] = ['/health/live', '/health/ready', '/metrics'];

/** Middleware mounted under a path sees a shortened `url`; `originalUrl` is what the client asked for. */
function urlOf(request: { url?: unknown; originalUrl?: unknown }): string | undefined {
  if (typeof request.originalUrl === 'string') return request.originalUrl;
  return typeof request.url === 'string' ? request.url : undefined;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** pino options shared by the HTTP logger and any standalone logger of a service. */
export function pinoOptions(options: Pick<LoggingOptions, 'service' | 'level' | 'redactPaths'>): LoggerOptions {
  const extraPaths = options.redactPaths ?? [];
  return {
    level: options.level,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      // Runs only for lines that are written, so censoring costs nothing at a quieter level.
      log: (object) => censorSensitive(object) as Record<string, unknown>,
    },
    ...(extraPaths.length > 0 ? { redact: { paths: [...extraPaths], censor: LOG_REDACTED } } : {}),
  };
}

/** A standalone JSON logger with the same settings (for scripts and code outside Nest). */
export function createLogger(options: Pick<LoggingOptions, 'service' | 'level' | 'redactPaths' | 'destination'>): pino.Logger {
  return options.destination ? pino(pinoOptions(options), options.destination) : pino(pinoOptions(options));
}

/** The pino-http options of a finmesh service: JSON lines, request and correlation ids, redaction. */
export function httpLoggingParams(options: LoggingOptions): Params {
  const quiet = new Set(options.quietPaths ?? DEFAULT_QUIET_PATHS);
  const redactPath = options.redactPath ?? ((path: string) => path);
  const httpOptions: PinoHttpOptions<IncomingMessage, ServerResponse> = {
    ...pinoOptions(options),
    // Used when the framework has not set an id already (createFastifyAdapter does, and echoes it).
    genReqId: (request) => requestIdOf(request),
    customProps: (request) => ({ correlationId: correlationIdOf(request) }),
    customLogLevel: (_request, response, error) => {
      if (error !== undefined || response.statusCode >= 500) return 'error';
      if (response.statusCode >= 400) return 'warn';
      return 'info';
    },
    autoLogging: { ignore: (request) => quiet.has(pathOf(urlOf(request))) },
    serializers: {
      req: (request: { id?: unknown; method?: unknown; url?: unknown; originalUrl?: unknown; headers?: unknown; remoteAddress?: unknown }) => ({
        id: request.id,
        method: request.method,
        path: redactPath(pathOf(urlOf(request))),
        headers: censorHeaders(request.headers),
        remoteAddress: request.remoteAddress,
      }),
      res: (response: { statusCode?: unknown }) => ({ statusCode: response.statusCode }),
    },
  };
  return { pinoHttp: options.destination ? [httpOptions, options.destination] : httpOptions };
}

/**
 * JSON logging for a finmesh NestJS service (nestjs-pino): one line per request with its id
 * (`x-request-id`; createFastifyAdapter echoes it) and correlation id, credentials and account numbers
 * redacted. Inject nestjs-pino's `Logger`/`PinoLogger` as usual; `app.useLogger(app.get(Logger))`
 * routes Nest's own messages through it.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      imports: [LoggerModule.forRoot(httpLoggingParams(options))],
      exports: [LoggerModule],
    };
  }
}
