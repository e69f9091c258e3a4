import { SIGNING_MIGRATIONS } from '@finmesh/signing';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The withdrawals finmesh sent to withdrawCoin: transHistory names a withdrawal by Indodax's
 * withdraw_id only, and the payment is keyed by the request_id finmesh chose, so the connector
 * keeps the link (and whether a send was attempted, for a retried request).
 */
export class IndodaxWithdrawals1790300000000 implements MigrationInterface {
  name = 'IndodaxWithdrawals1790300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS indodax_withdrawals (
        request_id text PRIMARY KEY,
        currency text NOT NULL,
        address text NOT NULL,
        amount text NOT NULL,
        state text NOT NULL CHECK (state IN ('sending', 'accepted', 'refused')),
        withdraw_id text UNIQUE,
        submit_time text,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS indodax_withdrawals');
  }
}

/** The signing library's nonce counter and the connector's own table. */
export const INDODAX_MIGRATIONS = [...SIGNING_MIGRATIONS, IndodaxWithdrawals1790300000000];
