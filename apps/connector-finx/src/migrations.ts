import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Fin X connector's own table: one row per Idempotency-Key of the account commands
 * (create, update, delete), holding the request's hash and the answer it got, so the same key
 * and body always get the same answer and another body gets 409.
 */
export class FinxAccountCommands1790300000000 implements MigrationInterface {
  name = 'FinxAccountCommands1790300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS finx_account_commands (
        idempotency_key text PRIMARY KEY,
        operation text NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
        account_id text,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('started', 'completed', 'refused', 'unknown')),
        status integer,
        response jsonb,
        correlation_id text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS finx_account_commands');
  }
}

export const FINX_MIGRATIONS = [FinxAccountCommands1790300000000];
