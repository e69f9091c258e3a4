// The finmesh event contract: every service produces and consumes events through this library.
export { ContractError, EventValidationError } from './errors';
export type { ContractErrorCode, ValidationIssue, ValidationStage } from './errors';

export { EVENT_ID_PATTERN, EventIdSchema, PROVIDERS, ProviderSchema, TimestampSchema } from './primitives';
export type { Provider } from './primitives';

export {
  addMoney,
  AMOUNT_PATTERN,
  assertMoney,
  AssetSchema,
  compareMoney,
  formatAsset,
  isZeroMoney,
  MAX_AMOUNT_DIGITS,
  MAX_ASSET_PRECISION,
  minorUnitsOf,
  moneyFromDecimal,
  moneyFromMinorUnits,
  MoneySchema,
  moneyToDecimal,
  negateMoney,
  NonNegativeMoneySchema,
  parseAsset,
  PositiveMoneySchema,
  subtractMoney,
  sumMoney,
} from './money';
export type { Money, ParsedAsset } from './money';

export { LosslessJsonValueSchema, parseJsonLosslessly } from './lossless-json';
export type { LosslessJsonValue } from './lossless-json';

export { AccountRefSchema, accountRef, PaymentRefSchema, paymentRef, refKey } from './refs';
export type { AccountRef, PaymentRef } from './refs';

export {
  ALLOWED_PAYMENT_TRANSITIONS,
  decideTransition,
  isAllowedTransition,
  isTerminalPaymentStatus,
  PAYMENT_STATUS_MEANING,
  PAYMENT_STATUS_RANK,
  PAYMENT_STATUSES,
  PaymentStatusSchema,
  TERMINAL_PAYMENT_STATUSES,
} from './payment-status';
export type { PaymentStatus, TerminalPaymentStatus, TransitionDecision } from './payment-status';

export {
  findStatusMapping,
  normalizeProviderStatus,
  RawProviderStatusSchema,
  STATUS_SCHEME_NAMES,
  STATUS_SCHEMES,
  statusSchemesOf,
  UnknownProviderStatusError,
} from './status-mappings';
export type {
  RawProviderStatus,
  RawStatusMapping,
  StatusCodeOrigin,
  StatusScheme,
  StatusSchemeName,
} from './status-mappings';

export { deterministicEventId, EVENT_ID_NAMESPACE } from './event-id';
export type { IdentityPart } from './event-id';

export { EVENT_SOURCES, SCHEMA_VERSION } from './events/envelope';
export type { EventSource } from './events/envelope';
export { BalanceUpdatedDataSchema, BalanceUpdatedEventSchema } from './events/balance-updated';
export type { BalanceUpdatedData, BalanceUpdatedEvent } from './events/balance-updated';
export {
  CounterpartySchema,
  TRANSACTION_DIRECTIONS,
  TRANSACTION_KINDS,
  TRANSACTION_STATUSES,
  TransactionPostedDataSchema,
  TransactionPostedEventSchema,
} from './events/transaction-posted';
export type { Counterparty, TransactionPostedData, TransactionPostedEvent } from './events/transaction-posted';
export {
  IndodaxWithdrawalSchema,
  PaymentStatusChangedDataSchema,
  PaymentStatusChangedEventSchema,
} from './events/payment-status-changed';
export type {
  IndodaxWithdrawal,
  PaymentStatusChangedData,
  PaymentStatusChangedEvent,
} from './events/payment-status-changed';
export {
  CALLBACK_VERIFICATION_SCHEMES,
  CallbackReceivedDataSchema,
  CallbackReceivedEventSchema,
  redactCallbackHeaders,
  REDACTED_HEADER_VALUE,
  SENSITIVE_HEADER_NAMES,
} from './events/callback-received';
export type { CallbackReceivedData, CallbackReceivedEvent, CallbackVerification } from './events/callback-received';
export {
  DISCREPANCY_STATUSES,
  LedgerDiscrepancyDataSchema,
  LedgerDiscrepancyEventSchema,
} from './events/ledger-discrepancy';
export type { LedgerDiscrepancyData, LedgerDiscrepancyEvent } from './events/ledger-discrepancy';
export { ACCOUNT_CLOSURES, AccountClosedDataSchema, AccountClosedEventSchema } from './events/account-closed';
export type { AccountClosedData, AccountClosedEvent } from './events/account-closed';
export {
  EVENT_IDENTITY_FIELDS,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  eventIdentityParts,
  eventIdOf,
  FinmeshEventSchema,
} from './events';
export type { EventOfType, EventType, EventWithoutId, FinmeshEvent } from './events';

export {
  DLQ_PARTITIONS,
  DLQ_RETENTION_MS,
  DLQ_SUFFIX,
  dlqTopicName,
  partitionKeyOf,
  resolveTopic,
  TOPIC_DEFINITIONS,
  topicName,
  topicOf,
  topicOfEventType,
  TOPICS,
  topicSpecs,
} from './topics';
export type { AnyTopicDefinition, ResolvedTopic, TopicDefinition, TopicProvisioningSpec } from './topics';

export {
  buildTraceparent,
  childTraceContext,
  deadLetterHeaders,
  DeadLetterHeadersSchema,
  DLQ_HEADERS,
  EVENT_CONTENT_TYPE,
  EVENT_HEADERS,
  eventHeaders,
  EventHeadersSchema,
  headerText,
  MAX_DLQ_REASON_LENGTH,
  newTraceContext,
  parseDeadLetterHeaders,
  parseTraceparent,
  TraceparentSchema,
} from './headers';
export type { DeadLetterInfo, KafkaHeaderValue, TraceContext } from './headers';

export { createEvent, parseConsumedEvent, toKafkaMessage, validateForProduce } from './validation';
export type { EventInput, KafkaEventMessage, KafkaMessageOptions } from './validation';

export { EXAMPLE_EVENTS, EXAMPLE_TRACEPARENT } from './examples';
