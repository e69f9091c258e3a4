import { Column, Entity, PrimaryColumn } from 'typeorm';

export type CallbackStatus = 'pending' | 'published';

/** A stored callback (table ingress_callback); see CreateIngressCallback1791000000000. */
@Entity({ name: 'ingress_callback' })
export class CallbackEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'content_type', type: 'text' })
  contentType!: string;

  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @Column({ type: 'bytea' })
  body!: Buffer;

  @Column({ name: 'verification_scheme', type: 'text' })
  verificationScheme!: string;

  @Column({ name: 'verification_key_id', type: 'text', nullable: true })
  verificationKeyId!: string | null;

  @Column({ type: 'text' })
  status!: CallbackStatus;

  @Column({ name: 'publish_attempts', type: 'integer' })
  publishAttempts!: number;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}

/** A withdrawal finmesh requested from Indodax (table ingress_expected_withdrawal). */
@Entity({ name: 'ingress_expected_withdrawal' })
export class ExpectedWithdrawalEntity {
  @PrimaryColumn({ name: 'request_id', type: 'text' })
  requestId!: string;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'text', nullable: true })
  network!: string | null;

  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'text' })
  amount!: string;

  @Column({ type: 'text', nullable: true })
  memo!: string | null;

  @Column({ type: 'text', nullable: true })
  username!: string | null;

  @Column({ name: 'payment_key', type: 'text' })
  paymentKey!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  /** Two events described this request_id differently: the callback is refused. */
  @Column({ type: 'boolean' })
  conflicting!: boolean;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;
}

/** A callback refused on its business content (table ingress_rejected_callback). */
@Entity({ name: 'ingress_rejected_callback' })
export class RejectedCallbackEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text' })
  detail!: string;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId!: string;

  @Column({ name: 'content_type', type: 'text', nullable: true })
  contentType!: string | null;

  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @Column({ type: 'bytea' })
  body!: Buffer;
}

export const INGRESS_ENTITIES = [CallbackEntity, ExpectedWithdrawalEntity, RejectedCallbackEntity];
