import { Controller, Get, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  /** Prefixed to every metric name, e.g. `finmesh_ingress_`. */
  prefix: string;
  /** Labels on every series (e.g. `{ service: 'ingress' }`). */
  defaultLabels?: Record<string, string>;
  /** Process metrics (CPU, memory, event loop lag, GC); on by default. */
  collectDefaultMetrics?: boolean;
}

export interface MetricDefinition<Label extends string> {
  /** Without the prefix; counters end in `_total`, durations in `_seconds`. */
  name: string;
  help: string;
  labelNames?: readonly Label[];
}

/** Latency buckets for HTTP and broker round trips, in seconds: 1 ms … 10 s. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * One Prometheus registry per service (never the global one, so two services in one test
 * process do not collide), with helpers that put the service prefix on every metric.
 */
export class MetricsService {
  readonly registry = new Registry();
  readonly prefix: string;

  constructor(options: MetricsOptions) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(options.prefix)) {
      throw new Error('the metrics prefix must be a Prometheus name (letters, digits, "_" and ":")');
    }
    this.prefix = options.prefix;
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.collectDefaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: options.prefix });
  }

  counter<Label extends string = never>(definition: MetricDefinition<Label>): Counter<Label> {
    return new Counter<Label>({ ...this.common(definition) });
  }

  gauge<Label extends string = never>(definition: MetricDefinition<Label>): Gauge<Label> {
    return new Gauge<Label>({ ...this.common(definition) });
  }

  histogram<Label extends string = never>(
    definition: MetricDefinition<Label> & { buckets?: readonly number[] },
  ): Histogram<Label> {
    return new Histogram<Label>({
      ...this.common(definition),
      buckets: [...(definition.buckets ?? LATENCY_BUCKETS_SECONDS)],
    });
  }

  /** The exposition text for `/metrics`. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  private common<Label extends string>(definition: MetricDefinition<Label>) {
    return {
      name: `${this.prefix}${definition.name}`,
      help: definition.help,
      labelNames: [...(definition.labelNames ?? [])],
      registers: [this.registry],
    };
  }
}

@Controller()
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metricsService: MetricsService) {}

  @Get('metrics')
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return this.metricsService.metrics();
  }
}

/** `GET /metrics` and an injectable MetricsService for the service's own metrics. */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions | MetricsService): DynamicModule {
    const service = options instanceof MetricsService ? options : new MetricsService(options);
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [{ provide: MetricsService, useValue: service }],
      exports: [MetricsService],
    };
  }
}
