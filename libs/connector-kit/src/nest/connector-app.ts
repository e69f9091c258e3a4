import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '@finmesh/service-runtime';
import { Logger } from 'nestjs-pino';
import { ConnectorRuntime, type ConnectorServiceOptions } from '../runtime/connector-runtime';
import { ConnectorModule } from './connector.module';

export interface ConnectorApp {
  app: NestFastifyApplication;
  runtime: ConnectorRuntime;
  url: string;
}

/**
 * Boots a connector service: migrations and topics (when configured), then the NestJS app on
 * Fastify; the runtime (sync schedule, payment tracker, callback consumer) starts with it and
 * stops on shutdown. main.ts calls this; integration tests call it in-process.
 */
export async function bootstrapConnector(options: ConnectorServiceOptions): Promise<ConnectorApp> {
  const runtime = await ConnectorRuntime.open(options);
  try {
    const app = await NestFactory.create<NestFastifyApplication>(ConnectorModule.forRoot(runtime), createFastifyAdapter({ bodyLimit: 256 * 1024 }), {
      bufferLogs: true,
    });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    await app.listen(options.config.PORT, options.config.HOST);
    const url = await app.getUrl();
    runtime.log.info('connector ready', { url });
    return { app, runtime, url: url.replace('[::1]', '127.0.0.1') };
  } catch (error: unknown) {
    await runtime.close();
    throw error;
  }
}
