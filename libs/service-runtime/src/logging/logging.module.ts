import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Module, RequestMethod, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LoggerModule, type Params } from 'nestjs-pino';
import { pino, type DestinationStream, type Level, type Logger, type LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { LogLevel } from '../config/env-fields';
import { censorHeaders, censorSensitive, LOG_REDACTED } from './redaction';
import { correlationIdOf, requestIdOf, type HeaderCarrier } from './request-context';

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
  /**
   * Bind every log line written while handling a request to that request (nestjs-pino's
   * per-request child logger). Off by default: it creates a child logger per request, which costs
   * more CPU than a lean route's own work; the access line always carries the ids.
   */
  requestContext?: boolean;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

export const DEFAULT_QUIET_PATHS: readonly string[] = ['/health/live', '/health/ready', '/metrics'];

const ACCESS_LOG = Symbol('finmesh-access-log');

interface AccessLogSettings {
  logger: Logger;
  quietPaths: ReadonlySet<string>;
  redactPath: (path: string) => string;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** pino options shared by the HTTP access log and any standalone logger of a service. */
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
export function createLogger(options: Pick<LoggingOptions, 'service' | 'level' | 'redactPaths' | 'destination'>): Logger {
  return options.destination ? pino(pinoOptions(options), options.destination) : pino(pinoOptions(options));
}

/** nestjs-pino's parameters: the service's logger, and request context only where asked for. */
export function httpLoggingParams(options: LoggingOptions, logger: Logger = createLogger(options)): Params {
  const httpOptions: PinoHttpOptions<IncomingMessage, ServerResponse> = {
    logger,
    // Access lines come from the Fastify hook (AccessLog); this middleware only binds context.
    autoLogging: false,
    genReqId: (request) => requestIdOf(request),
    customProps: (request) => ({ correlationId: correlationIdOf(request) }),
    serializers: {
      req: (request: { id?: unknown; method?: unknown; url?: unknown; originalUrl?: unknown }) => ({
        id: request.id,
        method: request.method,
        path: pathOf(typeof request.originalUrl === 'string' ? request.originalUrl : typeof request.url === 'string' ? request.url : undefined),
      }),
    },
  };
  return {
    pinoHttp: httpOptions,
    forRoutes: options.requestContext === true ? [{ path: '*', method: RequestMethod.ALL }] : [],
  };
}

interface AccessRequest {
  id: string;
  method: string;
  url: string;
  headers: HeaderCarrier['headers'];
  raw: HeaderCarrier & { socket?: { remoteAddress?: string } };
}

/** One line per request (after the response is sent) from a Fastify hook: no per-request logger. */
class AccessLog implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(ACCESS_LOG) private readonly settings: AccessLogSettings,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as { getType?: () => string; getInstance?: () => unknown } | undefined;
    if (adapter?.getType?.() !== 'fastify') return;
    const fastify = adapter.getInstance?.() as {
      addHook(
        name: 'onResponse',
        hook: (request: AccessRequest, reply: { statusCode: number; elapsedTime: number }, done: () => void) => void,
      ): void;
    };
    const { logger, quietPaths, redactPath } = this.settings;
    fastify.addHook('onResponse', (request, reply, done) => {
      const status = reply.statusCode;
      const level: Level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      const path = pathOf(request.url);
      if (logger.isLevelEnabled(level) && !(status < 400 && quietPaths.has(path))) {
        logger[level](
          {
            req: {
              id: request.id,
              method: request.method,
              path: redactPath(path),
              headers: censorHeaders(request.headers),
              remoteAddress: request.raw.socket?.remoteAddress,
            },
            res: { statusCode: status },
            responseTime: Math.round(reply.elapsedTime * 100) / 100,
            correlationId: correlationIdOf(request.raw),
          },
          'request completed',
        );
      }
      done();
    });
  }
}

/**
 * JSON logging for a finmesh NestJS service (pino through nestjs-pino): one line per request
 * with its id (`x-request-id`; createFastifyAdapter echoes it) and correlation id, 4xx at `warn`,
 * 5xx at `error`, credentials and account numbers redacted. Inject nestjs-pino's
 * `Logger`/`PinoLogger` as usual; `app.useLogger(app.get(Logger))` routes Nest's own messages
 * through it.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    const logger = createLogger(options);
    const settings: AccessLogSettings = {
      logger,
      quietPaths: new Set(options.quietPaths ?? DEFAULT_QUIET_PATHS),
      redactPath: options.redactPath ?? ((path: string) => path),
    };
    return {
      module: LoggingModule,
      global: true,
      imports: [LoggerModule.forRoot(httpLoggingParams(options, logger))],
      providers: [{ provide: ACCESS_LOG, useValue: settings }, AccessLog],
      exports: [LoggerModule],
    };
  }
}
