import 'reflect-metadata';
import { ConnectorModule, ConnectorPublisher, ConnectorRuntime, startConnectorApp, type ConnectorApp } from '@finmesh/connector-kit';
import { createIdempotentProducer, EventPublisher } from '@finmesh/kafka';
import { parseJsonLosslessly } from '@finmesh/schemas';
import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import { FinxAccountCommands } from './account-commands';
import { AccountCommandsController, FINX_ACCOUNT_COMMANDS, FINX_API_LOG } from './account-commands.controller';
import type { FinxConfig } from './config';
import { createFinxConnector, type FinxConnectorParts } from './connector';
import { FINX_MIGRATIONS } from './migrations';

const BODY_LIMIT = 256 * 1024;
const COMMANDS_PRODUCER = Symbol('finx-commands-producer');

/** The account commands publish through their own idempotent producer; it lives as long as the app. */
class CommandsProducerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(COMMANDS_PRODUCER) private readonly producer: Producer) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}

/** The kit's connector service plus the Fin X account commands. */
@Module({})
class FinxConnectorModule {
  static forRoot(runtime: ConnectorRuntime, commands: FinxAccountCommands, producer: Producer): DynamicModule {
    return {
      module: FinxConnectorModule,
      imports: [ConnectorModule.forRoot(runtime)],
      controllers: [AccountCommandsController],
      providers: [
        { provide: FINX_ACCOUNT_COMMANDS, useValue: commands },
        { provide: FINX_API_LOG, useValue: runtime.log },
        { provide: COMMANDS_PRODUCER, useValue: producer },
        CommandsProducerLifecycle,
      ],
    };
  }
}

export interface FinxConnectorApp extends ConnectorApp {
  commands: FinxAccountCommands;
}

/**
 * Boots the Fin X connector service (main.ts calls it, integration tests call it in-process): the
 * kit's runtime and module as bootstrapConnector builds them, plus the account commands and a
 * JSON body parser that keeps every number as its exact text — a balance of 10.005 reaches the
 * validation as "10.005", never as a double.
 */
export async function bootstrapFinxConnector(config: FinxConfig): Promise<FinxConnectorApp> {
  let parts: FinxConnectorParts | undefined;
  const runtime = await ConnectorRuntime.open({
    service: 'connector-finx',
    config,
    createConnector: (kit) => {
      parts = createFinxConnector(config, kit);
      return parts.connector;
    },
    migrations: FINX_MIGRATIONS,
  });
  if (!parts) {
    await runtime.close();
    throw new Error('the Fin X connector was not created');
  }
  const producer = createIdempotentProducer(runtime.kafka);
  const publisher = new ConnectorPublisher(new EventPublisher(producer, { topicPrefix: config.KAFKA_TOPIC_PREFIX }), 'finx', runtime.metrics);
  const commands = new FinxAccountCommands({ client: parts.client, assets: parts.assets, pool: runtime.pool, publisher, resources: runtime.resources, log: runtime.log });
  const started = await startConnectorApp(runtime, {
    module: FinxConnectorModule.forRoot(runtime, commands, producer),
    bodyLimit: BODY_LIMIT,
    configureAdapter: (adapter) =>
      adapter.useBodyParser('application/json', false, { bodyLimit: BODY_LIMIT }, (_request, body, done) => {
        try {
          done(null, body.length === 0 ? undefined : parseJsonLosslessly(body.toString('utf8')));
        } catch (error: unknown) {
          done(Object.assign(new Error(`the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`), { statusCode: 400 }), undefined);
        }
      }),
  });
  return { ...started, commands };
}
