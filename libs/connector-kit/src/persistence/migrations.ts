import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The connector kit's tables. Every row carries its connector's name, so connectors may share a
 * database; each connector service keeps its own migration history table, which is why the
 * statements tolerate tables another connector already created.
 */
export class ConnectorKitSchema1790200000000 implements MigrationInterface {
  name = 'ConnectorKitSchema1790200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS connector_sync_state (
        connector text NOT NULL,
        resource text NOT NULL,
        cursor text,
        run_id uuid,
        run_started_at timestamptz,
        pages_in_run integer NOT NULL DEFAULT 0,
        next_run_at timestamptz,
        last_success_at timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        last_error text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connector, resource)
      )`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS connector_sync_attempts (
        id uuid PRIMARY KEY,
        connector text NOT NULL,
        resource text NOT NULL,
        run_id uuid NOT NULL,
        holder text NOT NULL,
        resumed boolean NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        outcome text NOT NULL CHECK (outcome IN ('running', 'completed', 'failed', 'interrupted')),
        pages integer NOT NULL DEFAULT 0,
        events integer NOT NULL DEFAULT 0,
        error text
      )`);
    await queryRunner.query(
      'CREATE INDEX IF NOT EXISTS connector_sync_attempts_started ON connector_sync_attempts (connector, started_at)',
    );
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS connector_resources (
        connector text NOT NULL,
        kind text NOT NULL,
        id text NOT NULL,
        parent_id text,
        data jsonb NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (connector, kind, id)
      )`);
    await queryRunner.query(
      'CREATE INDEX IF NOT EXISTS connector_resources_parent ON connector_resources (connector, kind, parent_id)',
    );
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS connector_payments (
        id uuid PRIMARY KEY,
        connector text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        request jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('initiating', 'initiated', 'refused')),
        refusal jsonb,
        provider_payment_id text,
        account_id text,
        amount text,
        asset text,
        status text,
        raw_scheme text,
        raw_code text,
        status_version text,
        status_occurred_at timestamptz,
        terminal boolean NOT NULL DEFAULT false,
        next_check_at timestamptz,
        check_failures integer NOT NULL DEFAULT 0,
        correlation_id text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // Of any number of concurrent requests with one key, exactly one creates the row.
    await queryRunner.query(
      'CREATE UNIQUE INDEX IF NOT EXISTS connector_payments_idempotency ON connector_payments (connector, idempotency_key)',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX IF NOT EXISTS connector_payments_provider_id ON connector_payments (connector, provider_payment_id) WHERE provider_payment_id IS NOT NULL',
    );
    await queryRunner.query(
      "CREATE INDEX IF NOT EXISTS connector_payments_due ON connector_payments (connector, next_check_at) WHERE state = 'initiated' AND NOT terminal",
    );
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS connector_payment_statuses (
        payment_id uuid NOT NULL REFERENCES connector_payments (id),
        event_id uuid NOT NULL,
        status text NOT NULL,
        raw_scheme text NOT NULL,
        raw_code text NOT NULL,
        status_version text,
        decision text NOT NULL CHECK (decision IN ('apply', 'same', 'ignore-stale', 'invalid')),
        source text NOT NULL,
        reason text,
        occurred_at timestamptz NOT NULL,
        observed_at timestamptz NOT NULL,
        PRIMARY KEY (payment_id, event_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS connector_payment_statuses');
    await queryRunner.query('DROP TABLE IF EXISTS connector_payments');
    await queryRunner.query('DROP TABLE IF EXISTS connector_resources');
    await queryRunner.query('DROP TABLE IF EXISTS connector_sync_attempts');
    await queryRunner.query('DROP TABLE IF EXISTS connector_sync_state');
  }
}

export const CONNECTOR_KIT_MIGRATIONS = [ConnectorKitSchema1790200000000];
