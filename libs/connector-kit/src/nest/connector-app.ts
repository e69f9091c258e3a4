import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '@finmesh/service-runtime';
import { Logger } from 'nestjs-pino';
import { ConnectorRuntime, type ConnectorServiceOptions } from '../runtime/connector-runtime';
import { ConnectorModule } from './connector.module';

export interface ConnectorApp {
  app: NestFastifyApplication;
  runtime: ConnectorRuntime;
  url: string;
}

export interface ConnectorAppOptions {
  /** The root module: `ConnectorModule.forRoot(runtime)`, or a connector's own module importing it (extra routes). */
  module: DynamicModule;
  /** Request body limit in bytes (default 256 KiB). */
  bodyLimit?: number;
  /** Runs on the Fastify adapter before Nest starts (a connector's own body parser). */
  configureAdapter?: (adapter: FastifyAdapter) => void;
  /** Runs on the app before it listens (hooks on the Fastify instance). */
  beforeListen?: (app: NestFastifyApplication) => void;
}

const DEFAULT_BODY_LIMIT = 256 * 1024;

/**
 * Serves an opened runtime: the NestJS app on Fastify with the service's logger and shutdown
 * hooks, listening on the configured host and port. A failure closes the runtime and rethrows.
 * bootstrapConnector uses it with the kit's module; a connector with routes of its own passes
 * its module (which imports `ConnectorModule.forRoot(runtime)`).
 */
export async function startConnectorApp(runtime: ConnectorRuntime, options: ConnectorAppOptions): Promise<ConnectorApp> {
  try {
    const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
    const adapter = createFastifyAdapter({ bodyLimit });
    options.configureAdapter?.(adapter);
    const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    options.beforeListen?.(app);
    await app.listen(runtime.options.config.PORT, runtime.options.config.HOST);
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    runtime.log.info('connector ready', { url });
    return { app, runtime, url };
  } catch (error: unknown) {
    await runtime.close();
    throw error;
  }
}

/**
 * Boots a connector service: migrations and topics (when configured), then the NestJS app on
 * Fastify; the runtime (sync schedule, payment tracker, callback consumer) starts with it and
 * stops on shutdown. main.ts calls this; integration tests call it in-process.
 */
export async function bootstrapConnector(options: ConnectorServiceOptions): Promise<ConnectorApp> {
  const runtime = await ConnectorRuntime.open(options);
  return startConnectorApp(runtime, { module: ConnectorModule.forRoot(runtime) });
}
