// End-to-end test, real parts: the Kafka broker and PostgreSQL of this run, the provider sandbox
// and the ledger service as separate processes, and the INDX connector service in this process.
// The ledger's balances must equal the sandbox's ground truth after a sync, and again after a wire.
import type { ConnectorApp, PaymentView } from '@finmesh/connector-kit';
import { createTestDatabase, expectEventually, startAppProcess, type AppProcess } from '@finmesh/testing';
import { bootstrapIndxConnector } from './indx-app';
import { startIndxTestEnvironment, type IndxTestEnvironment } from './testing/indx-test-env';

// Postings are dated with the sandbox clock, which the test moves ahead of the wall clock.
const FAR_FUTURE = '2100-01-01T00:00:00Z';

interface LedgerBalance {
  providerAccountKey: string;
  booked: { amount: string; asset: string };
  held: { amount: string; asset: string };
}

describe('the ledger fed by the INDX connector', () => {
  let env: IndxTestEnvironment;
  let connector: ConnectorApp;
  let ledger: AppProcess | undefined;
  let ledgerUrl: string;

  const ledgerBalances = async (): Promise<Map<string, LedgerBalance>> => {
    const response = await fetch(`${ledgerUrl}/v1/balances?provider=indx&asOf=${FAR_FUTURE}`);
    const body = (await response.json()) as { data: LedgerBalance[] };
    return new Map(body.data.map((balance) => [balance.providerAccountKey, balance]));
  };

  const expectLedgerToMatchGroundTruth = async (): Promise<void> => {
    const truth = await env.sandbox.admin.groundTruth('indx', { transactions: false });
    await expectEventually(
      async () => {
        const balances = await ledgerBalances();
        for (const account of truth) {
          const balance = balances.get(`indx:${account.accountId}`);
          expect({ account: account.accountId, booked: balance?.booked, held: balance?.held.amount }).toEqual({
            account: account.accountId,
            booked: account.balance,
            held: '0',
          });
        }
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  };

  beforeAll(async () => {
    env = await startIndxTestEnvironment('indx-ledger', { size: 'small' });
    // Started before the connector (whose first sync publishes at once), ready when it answers.
    const ledgerStarting = startAppProcess('ledger', {
      env: {
        DATABASE_URL: await createTestDatabase('indx-ledger-books'),
        KAFKA_BROKERS: env.brokers.join(','),
        KAFKA_TOPIC_PREFIX: env.prefix,
        LEDGER_CONSUMER_GROUP: `${env.prefix}ledger`,
      },
    });
    connector = await bootstrapIndxConnector(await env.config());
    ledger = await ledgerStarting;
    ledgerUrl = ledger.url;
  });

  afterAll(async () => {
    await connector?.app.close();
    await ledger?.stop();
    await env.stop();
  });

  it('holds what INDX holds after a full sync, and after a wire transfer has settled', async () => {
    await connector.runtime.engine.syncNow();
    await expectLedgerToMatchGroundTruth();

    const [account] = await env.sandbox.admin.groundTruth('indx', { transactions: false });
    const response = await fetch(`${connector.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'ledger-wire-1' },
      body: JSON.stringify({ type: 'wire_transfer', accountId: account?.accountId, externalAccountId: 'ext_1', amount: '250.00', currency: 'USD' }),
    });
    const wire = (await response.json()) as PaymentView;
    expect(response.status).toBe(201);
    await env.sandbox.admin.advanceClock({ seconds: 30 });
    await env.sandbox.admin.advanceClock({ seconds: 270 });
    await expectEventually(async () => expect(((await (await fetch(`${connector.url}/v1/payments/${wire.id}`)).json()) as PaymentView).status).toBe('settled'));
    await connector.runtime.engine.syncNow(['transactions', 'balances']);
    await expectLedgerToMatchGroundTruth();

    const payment = (await (await fetch(`${ledgerUrl}/v1/payments/indx:${wire.providerPaymentId ?? ''}`)).json()) as { status: string; holdState: string };
    expect(payment.status).toBe('settled');
    expect(['released', 'none']).toContain(payment.holdState);
  }, 120_000);
});
