import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The INDEXO connector's own tables: consents (with their SCA progress and validity), the daily
 * access count per consent (frequencyPerDay), and what a payment's initiation returned (the
 * challenge and the `_links` to follow).
 */
export class IndexoConnectorSchema1790300000000 implements MigrationInterface {
  name = 'IndexoConnectorSchema1790300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE indexo_consents (
        consent_id text PRIMARY KEY,
        psu_id text NOT NULL,
        ibans text[] NOT NULL,
        all_accounts boolean NOT NULL,
        valid_until date NOT NULL,
        frequency_per_day integer NOT NULL,
        recurring boolean NOT NULL,
        challenge text NOT NULL,
        links jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('pending_sca', 'active', 'failed', 'expired', 'revoked', 'deleted')),
        sca_status text NOT NULL,
        consent_status text NOT NULL,
        reason text,
        sca_checks integer NOT NULL DEFAULT 0,
        next_check_at timestamptz NOT NULL,
        expiry_reported_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX indexo_consents_due ON indexo_consents (next_check_at) WHERE state IN ('pending_sca', 'active')`);
    await queryRunner.query(`
      CREATE TABLE indexo_consent_usage (
        consent_id text NOT NULL REFERENCES indexo_consents (consent_id),
        day date NOT NULL,
        access text NOT NULL,
        count integer NOT NULL,
        PRIMARY KEY (consent_id, day, access)
      )`);
    await queryRunner.query(`
      CREATE TABLE indexo_payment_initiations (
        provider_payment_id text PRIMARY KEY,
        challenge text NOT NULL,
        links jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE indexo_payment_initiations');
    await queryRunner.query('DROP TABLE indexo_consent_usage');
    await queryRunner.query('DROP TABLE indexo_consents');
  }
}

export const INDEXO_MIGRATIONS = [IndexoConnectorSchema1790300000000];
