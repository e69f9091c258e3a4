import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HealthModule, LoggingModule, MetricsModule } from '@finmesh/service-runtime';
import type { ConnectorRuntime } from '../runtime/connector-runtime';
import { PaymentsController, ResourcesController, SyncController } from './connector.controllers';
import { CONNECTOR_RUNTIME } from './tokens';

/** Starts the runtime once the application is up and closes it on shutdown. */
class ConnectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(CONNECTOR_RUNTIME) private readonly runtime: ConnectorRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}

/**
 * A connector service: JSON logs, `/health/live` and `/health/ready` (Kafka, PostgreSQL, the
 * provider), `/metrics`, the payments API when the connector initiates payments, its kept
 * resources and its sync status.
 */
@Module({})
export class ConnectorModule {
  static forRoot(runtime: ConnectorRuntime): DynamicModule {
    const { config, service } = runtime.options;
    return {
      module: ConnectorModule,
      imports: [
        LoggingModule.forRoot({ service, level: config.LOG_LEVEL }),
        MetricsModule.forRoot(runtime.metricsService),
        HealthModule.forRoot(runtime.readinessChecks),
      ],
      // Payments are served only by a connector that declares initiate_payment.
      controllers: [...(runtime.connector.has('initiate_payment') ? [PaymentsController] : []), SyncController, ResourcesController],
      providers: [
        { provide: CONNECTOR_RUNTIME, useValue: runtime },
        ConnectorLifecycle,
      ],
    };
  }
}
