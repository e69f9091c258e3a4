import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The double-entry ledger. Amounts are numeric(80,0) minor units (18-decimal tokens overflow
 * bigint); every journal balances per asset (checked by a statement trigger over each insert);
 * journals and postings are append-only (triggers refuse UPDATE, DELETE and TRUNCATE).
 */
export class LedgerSchema1763800000000 implements MigrationInterface {
  name = 'LedgerSchema1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ledger_accounts (
        id bigserial PRIMARY KEY,
        address text NOT NULL,
        asset text NOT NULL CHECK (asset ~ '^[A-Z0-9][A-Z0-9._-]{0,31}/(0|[1-9]|[12][0-9]|3[0-6])$'),
        kind text NOT NULL CHECK (kind IN ('provider_account', 'holds', 'in_flight', 'external', 'fees', 'opening_equity', 'adjustments')),
        provider text NOT NULL,
        provider_account_key text,
        -- Maintained for provider accounts and their holds (locked per batch); other kinds are summed on read.
        balance numeric(80,0),
        opened_as_of timestamptz,
        opening_event_id uuid,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_accounts_address_asset_key UNIQUE (address, asset)
      )`);
    await queryRunner.query(`CREATE INDEX ledger_accounts_provider_account_idx ON ledger_accounts (provider_account_key)`);
    await queryRunner.query(`CREATE INDEX ledger_accounts_address_pattern_idx ON ledger_accounts (address text_pattern_ops)`);

    await queryRunner.query(`
      CREATE TABLE ledger_journals (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('transaction', 'opening', 'opening_adjustment', 'hold', 'hold_release', 'reversal', 'adjustment')),
        provider text NOT NULL,
        business_key text NOT NULL,
        event_id uuid,
        effective_at timestamptz NOT NULL,
        description text,
        payment_key text,
        reverses_journal_id bigint REFERENCES ledger_journals (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_journals_kind_business_key UNIQUE (kind, business_key)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX ledger_journals_one_reversal_idx ON ledger_journals (reverses_journal_id) WHERE reverses_journal_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX ledger_journals_event_idx ON ledger_journals (event_id)`);

    await queryRunner.query(`
      CREATE TABLE ledger_postings (
        id bigserial PRIMARY KEY,
        -- References are checked per statement by ledger_check_postings (set-based, far cheaper
        -- than a foreign key's per-row lookups); journals and accounts are never deleted.
        journal_id bigint NOT NULL,
        account_id bigint NOT NULL,
        asset text NOT NULL,
        amount numeric(80,0) NOT NULL CHECK (amount <> 0),
        effective_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX ledger_postings_account_time_idx ON ledger_postings (account_id, effective_at, id)`);
    await queryRunner.query(`CREATE INDEX ledger_postings_journal_idx ON ledger_postings (journal_id)`);

    await queryRunner.query(`
      CREATE FUNCTION ledger_check_postings() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        problem record;
      BEGIN
        SELECT journal_id, asset, sum(amount) AS total INTO problem
          FROM new_postings GROUP BY journal_id, asset HAVING sum(amount) <> 0 LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'journal % does not balance in %: postings sum to %', problem.journal_id, problem.asset, problem.total
            USING ERRCODE = '23514';
        END IF;
        SELECT p.journal_id INTO problem FROM new_postings p
          WHERE NOT EXISTS (SELECT 1 FROM ledger_journals j WHERE j.id = p.journal_id) LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'posting refers to journal %, which does not exist', problem.journal_id USING ERRCODE = '23503';
        END IF;
        SELECT p.account_id, p.asset INTO problem FROM new_postings p
          WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = p.account_id AND a.asset = p.asset) LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'posting refers to account % in %, which does not exist in that asset', problem.account_id, problem.asset
            USING ERRCODE = '23503';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
        REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_postings()`);
    await queryRunner.query(`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: correct a journal with a reversing journal', TG_TABLE_NAME USING ERRCODE = '42501';
      END $$`);
    for (const table of ['ledger_journals', 'ledger_postings', 'ledger_accounts']) {
      // Accounts keep their running balance up to date, so only their deletion is refused.
      const refused = table === 'ledger_accounts' ? 'DELETE' : 'UPDATE OR DELETE';
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE ${refused} ON ${table} FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`,
      );
    }

    await queryRunner.query(`
      CREATE TABLE ledger_processed_events (
        event_id uuid PRIMARY KEY,
        event_type text NOT NULL,
        topic text NOT NULL,
        kafka_partition integer NOT NULL,
        kafka_offset bigint NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE ledger_payments (
        payment_key text PRIMARY KEY,
        provider text NOT NULL,
        provider_payment_id text NOT NULL,
        account_key text NOT NULL,
        asset text NOT NULL,
        amount numeric(80,0) NOT NULL CHECK (amount > 0),
        status text,
        raw_scheme text,
        raw_code text,
        status_occurred_at timestamptz,
        hold_state text NOT NULL CHECK (hold_state IN ('none', 'held', 'released')),
        -- Journal ids written in the same transaction as the journals (append-only, never deleted).
        hold_journal_id bigint,
        release_journal_id bigint,
        settled_by_journal_id bigint,
        settled_transaction_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX ledger_payments_account_idx ON ledger_payments (account_key)`);
    await queryRunner.query(`
      CREATE TABLE ledger_payment_status_history (
        id bigserial PRIMARY KEY,
        payment_key text NOT NULL,
        event_id uuid NOT NULL,
        status text NOT NULL,
        raw_scheme text NOT NULL,
        raw_code text NOT NULL,
        source text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('applied', 'same', 'stale', 'invalid')),
        occurred_at timestamptz NOT NULL,
        observed_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX ledger_payment_status_history_payment_idx ON ledger_payment_status_history (payment_key, id)`);

    await queryRunner.query(`
      CREATE TABLE ledger_discrepancies (
        id bigserial PRIMARY KEY,
        account_id bigint NOT NULL REFERENCES ledger_accounts (id),
        account_key text NOT NULL,
        provider text NOT NULL,
        asset text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'cleared')),
        ledger_balance numeric(80,0) NOT NULL,
        provider_balance numeric(80,0) NOT NULL,
        difference numeric(80,0) NOT NULL,
        balance_event_id uuid NOT NULL,
        as_of timestamptz NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now(),
        cleared_at timestamptz,
        cleared_by_event_id uuid,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX ledger_discrepancies_one_open_idx ON ledger_discrepancies (account_id) WHERE status = 'open'`);

    await queryRunner.query(`
      CREATE TABLE ledger_outbox (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        event_type text NOT NULL,
        payload text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX ledger_outbox_unpublished_idx ON ledger_outbox (id) WHERE published_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'ledger_outbox',
      'ledger_discrepancies',
      'ledger_payment_status_history',
      'ledger_payments',
      'ledger_processed_events',
      'ledger_postings',
      'ledger_journals',
      'ledger_accounts',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
    await queryRunner.query(`DROP FUNCTION ledger_refuse_change()`);
    await queryRunner.query(`DROP FUNCTION ledger_check_postings()`);
  }
}
