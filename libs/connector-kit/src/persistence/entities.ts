import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Where one resource's sync stands (table connector_sync_state). `cursor` is opaque to the kit:
 * while `runId` is set it is where the interrupted run continues; otherwise it is what the next
 * run starts from (a watermark the connector chose).
 */
@Entity({ name: 'connector_sync_state' })
export class SyncStateEntity {
  @PrimaryColumn({ type: 'text' })
  connector!: string;

  @PrimaryColumn({ type: 'text' })
  resource!: string;

  @Column({ type: 'text', nullable: true })
  cursor!: string | null;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  @Column({ name: 'run_started_at', type: 'timestamptz', nullable: true })
  runStartedAt!: Date | null;

  @Column({ name: 'pages_in_run', type: 'integer' })
  pagesInRun!: number;

  @Column({ name: 'next_run_at', type: 'timestamptz', nullable: true })
  nextRunAt!: Date | null;

  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true })
  lastSuccessAt!: Date | null;

  @Column({ name: 'consecutive_failures', type: 'integer' })
  consecutiveFailures!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export type SyncAttemptOutcome = 'running' | 'completed' | 'failed' | 'interrupted';

/**
 * One stretch of work by one replica on one resource (table connector_sync_attempts): a run that
 * was interrupted and resumed has several. They are the audit trail that shows two replicas
 * never synced at once.
 */
@Entity({ name: 'connector_sync_attempts' })
@Index(['connector', 'startedAt'])
export class SyncAttemptEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  connector!: string;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ type: 'text' })
  holder!: string;

  @Column({ type: 'boolean' })
  resumed!: boolean;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'text' })
  outcome!: SyncAttemptOutcome;

  @Column({ type: 'integer' })
  pages!: number;

  @Column({ type: 'integer' })
  events!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}

/** Provider objects a connector keeps and serves (accounts, external accounts …): table connector_resources. */
@Entity({ name: 'connector_resources' })
export class ResourceEntity {
  @PrimaryColumn({ type: 'text' })
  connector!: string;

  @PrimaryColumn({ type: 'text' })
  kind!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'parent_id', type: 'text', nullable: true })
  parentId!: string | null;

  /** LosslessJsonValue as written (typed unknown here: TypeORM's find types cannot take a recursive type). */
  @Column({ type: 'jsonb' })
  data!: unknown;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;
}

export type PaymentRecordState = 'initiating' | 'initiated' | 'refused';

/** A payment requested through `POST /v1/payments` (table connector_payments). */
@Entity({ name: 'connector_payments' })
export class PaymentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  connector!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  /** The validated request body (LosslessJsonValue; see ResourceEntity.data). */
  @Column({ type: 'jsonb' })
  request!: unknown;

  @Column({ type: 'text' })
  state!: PaymentRecordState;

  @Column({ type: 'jsonb', nullable: true })
  refusal!: { status: number; code: string; message: string } | null;

  @Column({ name: 'provider_payment_id', type: 'text', nullable: true })
  providerPaymentId!: string | null;

  @Column({ name: 'account_id', type: 'text', nullable: true })
  accountId!: string | null;

  @Column({ type: 'text', nullable: true })
  amount!: string | null;

  @Column({ type: 'text', nullable: true })
  asset!: string | null;

  @Column({ type: 'text', nullable: true })
  status!: string | null;

  @Column({ name: 'raw_scheme', type: 'text', nullable: true })
  rawScheme!: string | null;

  @Column({ name: 'raw_code', type: 'text', nullable: true })
  rawCode!: string | null;

  @Column({ name: 'status_version', type: 'text', nullable: true })
  statusVersion!: string | null;

  @Column({ name: 'status_occurred_at', type: 'timestamptz', nullable: true })
  statusOccurredAt!: Date | null;

  @Column({ type: 'boolean' })
  terminal!: boolean;

  @Column({ name: 'next_check_at', type: 'timestamptz', nullable: true })
  nextCheckAt!: Date | null;

  @Column({ name: 'check_failures', type: 'integer' })
  checkFailures!: number;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export type StatusDecisionName = 'apply' | 'ignore-stale' | 'invalid' | 'same';

/** Every status observation published for a payment (table connector_payment_statuses). */
@Entity({ name: 'connector_payment_statuses' })
export class PaymentStatusEntity {
  @PrimaryColumn({ name: 'payment_id', type: 'uuid' })
  paymentId!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'raw_scheme', type: 'text' })
  rawScheme!: string;

  @Column({ name: 'raw_code', type: 'text' })
  rawCode!: string;

  @Column({ name: 'status_version', type: 'text', nullable: true })
  statusVersion!: string | null;

  @Column({ type: 'text' })
  decision!: StatusDecisionName;

  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'observed_at', type: 'timestamptz' })
  observedAt!: Date;
}

export const CONNECTOR_KIT_ENTITIES = [SyncStateEntity, SyncAttemptEntity, ResourceEntity, PaymentEntity, PaymentStatusEntity];
