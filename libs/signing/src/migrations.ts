import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Nonces seen by request verifiers (INDX), kept until they can no longer pass a timestamp check. */
export const REPLAY_NONCE_TABLE = 'signing_replay_nonce';
/** Monotonic counters per scope and API key: Indodax nonces issued, and the last ones accepted. */
export const NONCE_COUNTER_TABLE = 'signing_nonce_counter';

export class CreateSigningReplayNonce1790000000000 implements MigrationInterface {
  name = 'CreateSigningReplayNonce1790000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE ${REPLAY_NONCE_TABLE} (
         scope text NOT NULL,
         nonce text NOT NULL,
         expires_at timestamptz NOT NULL,
         PRIMARY KEY (scope, nonce)
       )`,
    );
    // The periodic purge deletes by expiry.
    await queryRunner.query(`CREATE INDEX ${REPLAY_NONCE_TABLE}_expires_at_idx ON ${REPLAY_NONCE_TABLE} (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${REPLAY_NONCE_TABLE}`);
  }
}

export class CreateSigningNonceCounter1790000000001 implements MigrationInterface {
  name = 'CreateSigningNonceCounter1790000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE ${NONCE_COUNTER_TABLE} (
         scope text NOT NULL,
         api_key text NOT NULL,
         value bigint NOT NULL CHECK (value >= 0),
         PRIMARY KEY (scope, api_key)
       )`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${NONCE_COUNTER_TABLE}`);
  }
}

/** The signing library's tables; a service lists these among its DataSource migrations. */
export const SIGNING_MIGRATIONS = [CreateSigningReplayNonce1790000000000, CreateSigningNonceCounter1790000000001];
