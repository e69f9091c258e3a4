// What every finmesh connector shares: the contract (capabilities), the sync engine, the resilient
// provider HTTP client and its error taxonomy, the publisher, payments and callbacks, and the
// NestJS service around them.
export {
  CONNECTOR_CAPABILITIES,
  paymentInitiator,
  SYNC_RESOURCES,
  UntranslatableCallbackError,
} from './contract/capabilities';
export type {
  CallbackPaymentUpdate,
  CallbackTranslation,
  CallbackTranslator,
  CapabilityHandlers,
  ConnectorCapability,
  InitiateContext,
  InitiatedPayment,
  PaymentInitiator,
  PaymentObservation,
  PaymentStatusPoller,
  ResourceFetcher,
  ResourceReader,
  ResourceRecord,
  StoredResource,
  SyncCapability,
  SyncPage,
  SyncPageRequest,
  SyncResource,
  TrackedPayment,
} from './contract/capabilities';
export { Connector, defineConnector } from './contract/connector';
export type { ConnectorDefinition, ResourceCollection, SyncResourceBinding } from './contract/connector';

export { failurePolicyOf, isUpstreamError, UPSTREAM_ERROR_KINDS, UpstreamError } from './errors/upstream-error';
export type { UpstreamErrorDetails, UpstreamErrorKind, UpstreamFailurePolicy } from './errors/upstream-error';
export { apiCodeOfUpstream, CONNECTOR_API_ERROR_CODES, ConnectorApiError, httpStatusOf } from './api/connector-api-error';
export type { ApiErrorBody, ConnectorApiErrorCode } from './api/connector-api-error';

export { kindOfHttpStatus, ResilientHttpClient } from './http/resilient-http-client';
export type {
  CircuitStateName,
  ErrorResponse,
  HttpClientObserver,
  HttpMethod,
  ProviderErrorDescription,
  ProviderRequest,
  ProviderResponse,
  RequestSigner,
  ResilientHttpClientOptions,
  SignableRequest,
} from './http/resilient-http-client';
export { RateLimiter, systemClock } from './http/rate-limiter';
export type { LimiterClock, RateLimit, RateLimiterOptions } from './http/rate-limiter';
export { parseRetryAfter } from './http/retry-after';

export { SyncEngine } from './sync/sync-engine';
export type { EventSink, ResourceWriter, SyncAttemptResult, SyncCycleResult, SyncEngineOptions, SyncObserver } from './sync/sync-engine';
export { PostgresSyncLeases, SyncLeaseLostError } from './sync/sync-lease';
export type { SqlRunner, SyncLease, SyncLeaseProvider } from './sync/sync-lease';
export { SyncRunFencedError, SyncStateStore } from './sync/sync-state-store';
export type { SyncStateRow } from './sync/sync-state-store';
export { ResourceStore } from './resources/resource-store';
export { ConnectorPublisher } from './publishing/connector-publisher';
export type { PublishObserver } from './publishing/connector-publisher';

export { canonicalJson, IDEMPOTENCY_KEY_PATTERN, PaymentsService } from './payments/payments-service';
export type { InitiationResult, ObservationOutcome, PaymentStatusHistoryEntry, PaymentView, PaymentsServiceOptions } from './payments/payments-service';
export { PaymentTracker } from './payments/payment-tracker';
export type { PaymentTrackerOptions } from './payments/payment-tracker';
export { CallbackConsumer } from './callbacks/callback-consumer';
export type { CallbackConsumerOptions } from './callbacks/callback-consumer';

export { connectorEnv, syncIntervals } from './config/connector-config';
export type { ConnectorEnvDefaults, ConnectorKitConfig } from './config/connector-config';
export { ConnectorMetrics } from './metrics/connector-metrics';
export { CONNECTOR_KIT_ENTITIES, PaymentEntity, PaymentStatusEntity, ResourceEntity, SyncAttemptEntity, SyncStateEntity } from './persistence/entities';
export { CONNECTOR_KIT_MIGRATIONS, ConnectorKitSchema1790200000000 } from './persistence/migrations';
export { describeError, pinoConnectorLogger, silentLogger } from './logging';
export type { ConnectorLogger } from './logging';

export { ConnectorRuntime } from './runtime/connector-runtime';
export type { ConnectorKit, ConnectorServiceOptions, ProviderClientOptions } from './runtime/connector-runtime';
export { ConnectorModule } from './nest/connector.module';
export { bootstrapConnector, startConnectorApp } from './nest/connector-app';
export type { ConnectorApp, ConnectorAppOptions } from './nest/connector-app';
export { ProviderAssets, UnknownCurrencyError } from './contract/provider-assets';
