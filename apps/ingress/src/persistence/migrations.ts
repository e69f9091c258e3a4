import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored callbacks. A row is written `pending` before the event is published and flipped to
 * `published` after Kafka acknowledged it; only a published row is an acceptance. The unique
 * index on (source, idempotency_key) is what makes concurrent duplicates safe: of any number of
 * inserts of one key, from any number of replicas, exactly one creates the row.
 */
export class CreateIngressCallback1791000000000 implements MigrationInterface {
  name = 'CreateIngressCallback1791000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingress_callback (
        id uuid PRIMARY KEY,
        source text NOT NULL,
        idempotency_key text NOT NULL,
        provider text NOT NULL,
        event_id uuid NOT NULL,
        correlation_id text NOT NULL,
        received_at timestamptz NOT NULL,
        occurred_at timestamptz NOT NULL,
        content_type text NOT NULL,
        headers jsonb NOT NULL,
        body bytea NOT NULL,
        verification_scheme text NOT NULL,
        verification_key_id text,
        status text NOT NULL CHECK (status IN ('pending', 'published')),
        publish_attempts integer NOT NULL DEFAULT 1,
        lease_until timestamptz,
        published_at timestamptz,
        last_error text
      )`);
    await queryRunner.query(
      'CREATE UNIQUE INDEX ingress_callback_source_key ON ingress_callback (source, idempotency_key)',
    );
    await queryRunner.query('CREATE INDEX ingress_callback_received_at ON ingress_callback (received_at)');
    await queryRunner.query(
      "CREATE INDEX ingress_callback_pending ON ingress_callback (received_at) WHERE status = 'pending'",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ingress_callback');
  }
}

/**
 * Withdrawals finmesh requested from Indodax, learnt from payment.status_changed events, and the
 * notification that wakes callbacks waiting for one (any replica, via LISTEN).
 */
export class CreateIngressExpectedWithdrawal1791000000001 implements MigrationInterface {
  name = 'CreateIngressExpectedWithdrawal1791000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingress_expected_withdrawal (
        request_id text PRIMARY KEY,
        currency text NOT NULL,
        network text,
        address text NOT NULL,
        amount text NOT NULL,
        memo text,
        username text,
        payment_key text NOT NULL,
        event_id uuid NOT NULL,
        conflicting boolean NOT NULL DEFAULT false,
        first_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX ingress_expected_withdrawal_seen ON ingress_expected_withdrawal (first_seen_at)');
    await queryRunner.query(`
      CREATE FUNCTION ingress_notify_expected_withdrawal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ingress_expected_withdrawal', NEW.request_id);
        RETURN NEW;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER ingress_expected_withdrawal_notify
        AFTER INSERT OR UPDATE ON ingress_expected_withdrawal
        FOR EACH ROW EXECUTE FUNCTION ingress_notify_expected_withdrawal()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ingress_expected_withdrawal');
    await queryRunner.query('DROP FUNCTION ingress_notify_expected_withdrawal()');
  }
}

/** Callbacks refused after a look at the business data (Indodax withdrawals): security evidence. */
export class CreateIngressRejectedCallback1791000000002 implements MigrationInterface {
  name = 'CreateIngressRejectedCallback1791000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingress_rejected_callback (
        id uuid PRIMARY KEY,
        source text NOT NULL,
        reason text NOT NULL,
        detail text NOT NULL,
        idempotency_key text,
        received_at timestamptz NOT NULL,
        correlation_id text NOT NULL,
        content_type text,
        headers jsonb NOT NULL,
        body bytea NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX ingress_rejected_callback_received_at ON ingress_rejected_callback (received_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ingress_rejected_callback');
  }
}

export const INGRESS_MIGRATIONS = [
  CreateIngressCallback1791000000000,
  CreateIngressExpectedWithdrawal1791000000001,
  CreateIngressRejectedCallback1791000000002,
];

export const INGRESS_MIGRATIONS_TABLE = 'ingress_migrations';
