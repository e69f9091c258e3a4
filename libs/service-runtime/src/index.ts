// What every finmesh NestJS service shares: typed config, JSON logging, health and metrics.
export { ConfigError, isSecretSchema, loadConfig, secret, VALUE_FREE_MESSAGE } from './config/load-config';
export type { ConfigProblem, Environment, LoadConfigOptions } from './config/load-config';
export {
  booleanEnv,
  databaseEnv,
  httpEnv,
  integerEnv,
  jsonEnv,
  kafkaEnv,
  listEnv,
  LOG_LEVELS,
  logEnv,
  portEnv,
} from './config/env-fields';
export type { IntegerEnvOptions, LogLevel } from './config/env-fields';

export { createLogger, DEFAULT_QUIET_PATHS, httpLoggingParams, LoggingModule, pinoOptions } from './logging/logging.module';
export type { LoggingOptions } from './logging/logging.module';
export { censorSensitive, isSensitiveKey, LOG_REDACTED, SENSITIVE_FIELD_NAMES, SENSITIVE_LOG_HEADERS } from './logging/redaction';
export { CORRELATION_ID_HEADER, correlationIdOf, REQUEST_ID_HEADER, requestIdOf } from './logging/request-context';
export type { HeaderCarrier, RequestHeaders } from './logging/request-context';

export { createFastifyAdapter } from './http/fastify-adapter';

export { HealthController, HealthModule, READINESS_CHECKS } from './health/health.module';
export type { HealthModuleAsyncOptions } from './health/health.module';
export {
  DEFAULT_READINESS_TIMEOUT_MS,
  kafkaReadinessCheck,
  postgresReadinessCheck,
  withTimeout,
} from './health/readiness-checks';
export type { ReadinessCheck, SqlQueryable } from './health/readiness-checks';

export { LATENCY_BUCKETS_SECONDS, MetricsController, MetricsModule, MetricsService } from './metrics/metrics';
export type { MetricDefinition, MetricsOptions } from './metrics/metrics';
