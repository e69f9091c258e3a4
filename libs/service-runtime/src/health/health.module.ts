import {
  Controller,
  Get,
  Inject,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnModuleDestroy,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { DEFAULT_READINESS_TIMEOUT_MS, withTimeout, type ReadinessCheck } from './readiness-checks';

export const READINESS_CHECKS = Symbol('finmesh-readiness-checks');

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[],
  ) {}

  /** The process is up and its event loop turns; says nothing about dependencies. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every readiness check answers (Kafka, PostgreSQL, the service's own): 200, else 503 with details. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.checks.map((check) => () => this.run(check)));
  }

  private async run(check: ReadinessCheck): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(check.name);
    const timeoutMs = check.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
    const started = Date.now();
    try {
      await withTimeout(check.check(), timeoutMs, check.name);
      return session.up({ latencyMs: Date.now() - started });
    } catch (error: unknown) {
      return session.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** Releases what the checks hold when the application shuts down. */
class ReadinessChecksLifecycle implements OnModuleDestroy {
  constructor(private readonly checks: readonly ReadinessCheck[]) {}

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.checks.map((check) => (check.close ? check.close().catch(() => undefined) : Promise.resolve())));
  }
}

export interface HealthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (...dependencies: never[]) => readonly ReadinessCheck[] | Promise<readonly ReadinessCheck[]>;
}

/**
 * `GET /health/live` and `GET /health/ready` (terminus). A service lists its readiness checks:
 * `kafkaReadinessCheck`, `postgresReadinessCheck` and any of its own.
 */
@Module({})
export class HealthModule {
  static forRoot(checks: readonly ReadinessCheck[]): DynamicModule {
    return HealthModule.forRootAsync({ useFactory: () => checks });
  }

  static forRootAsync(options: HealthModuleAsyncOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot(), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [
        { provide: READINESS_CHECKS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: ReadinessChecksLifecycle,
          useFactory: (checks: readonly ReadinessCheck[]) => new ReadinessChecksLifecycle(checks),
          inject: [READINESS_CHECKS],
        },
      ],
    };
  }
}
