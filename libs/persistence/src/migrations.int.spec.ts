// Integration test, real parts: the PostgreSQL server of this run (a database private to this suite).
import { createTestDatabase } from '@finmesh/testing';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, runMigrations } from './data-source';

class CreatePlumbingProbe1700000000000 implements MigrationInterface {
  name = 'CreatePlumbingProbe1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE plumbing_probe (id bigserial PRIMARY KEY, amount numeric(78,0) NOT NULL)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE plumbing_probe`);
  }
}

class AddProbeAsset1700000000001 implements MigrationInterface {
  name = 'AddProbeAsset1700000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE plumbing_probe ADD COLUMN asset text NOT NULL DEFAULT 'EUR/2'`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE plumbing_probe DROP COLUMN asset`);
  }
}

describe('TypeORM migrations against the real PostgreSQL', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const url = await createTestDatabase('persistence-migrations');
    dataSource = createDataSource({
      url,
      applicationName: 'persistence-test',
      migrations: [CreatePlumbingProbe1700000000000, AddProbeAsset1700000000001],
      migrationsTableName: 'probe_migrations',
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('applies pending migrations once, in order, and records them', async () => {
    expect(await runMigrations(dataSource)).toEqual([
      'CreatePlumbingProbe1700000000000',
      'AddProbeAsset1700000000001',
    ]);
    expect(await runMigrations(dataSource)).toEqual([]);

    await dataSource.query(`INSERT INTO plumbing_probe (amount) VALUES ('123456789012345678901234567890')`);
    const rows: Array<{ amount: string; asset: string }> = await dataSource.query(
      'SELECT amount::text AS amount, asset FROM plumbing_probe',
    );
    expect(rows).toEqual([{ amount: '123456789012345678901234567890', asset: 'EUR/2' }]);

    const history: Array<{ name: string }> = await dataSource.query('SELECT name FROM probe_migrations ORDER BY id');
    expect(history.map((h) => h.name)).toEqual(['CreatePlumbingProbe1700000000000', 'AddProbeAsset1700000000001']);
  });

  it('reverts the last migration', async () => {
    await dataSource.undoLastMigration();
    const columns: Array<{ column_name: string }> = await dataSource.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'plumbing_probe' ORDER BY column_name",
    );
    expect(columns.map((c) => c.column_name)).toEqual(['amount', 'id']);
  });
});
