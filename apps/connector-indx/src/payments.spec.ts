import type { InitiateContext, TrackedPayment } from '@finmesh/connector-kit';
import type { WireRequest } from './client';
import { IndxAssets } from './normalize';
import { indxPaymentInitiator, indxPaymentPoller, indxPaymentRequestSchema } from './payments';

const assets = new IndxAssets();
const schema = indxPaymentRequestSchema(assets);
const wire = { type: 'wire_transfer', accountId: 'acc_1', externalAccountId: 'ext_1', amount: '100.5', currency: 'USD' };
const context: InitiateContext = {
  providerIdempotencyKey: 'finmesh-abc',
  resources: { list: () => Promise.resolve([]), get: () => Promise.resolve(undefined) },
  signal: new AbortController().signal,
};
const wireAnswer = {
  id: 'wire_1',
  accountId: 'acc_1',
  externalAccountId: 'ext_1',
  amount: '100.50',
  fee: '15.00',
  currency: 'USD',
  status: 'pending',
  failureReason: null,
  createdAt: '2026-05-01T09:00:00.000Z',
  updatedAt: '2026-05-01T09:00:00.000Z',
};

describe('INDX payment requests', () => {
  it('accepts wires and account transfers and refuses what INDX would refuse or round', () => {
    expect(schema.safeParse(wire).success).toBe(true);
    expect(schema.safeParse({ type: 'account_transfer', fromAccountId: 'acc_1', toAccountId: 'acc_2', amount: '1', currency: 'EUR' }).success).toBe(true);
    const issues = (body: unknown): string[] => {
      const parsed = schema.safeParse(body);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(issues({ ...wire, amount: '100.501' })).toEqual([expect.stringMatching(/^amount: .*decimals/)]);
    expect(issues({ ...wire, amount: '0.00' })).toEqual(['amount: must be greater than zero']);
    expect(issues({ ...wire, amount: 100.5 })).toEqual([expect.stringMatching(/^amount:/)]);
    expect(issues({ ...wire, currency: 'XAU' })).toEqual([expect.stringMatching(/^amount: .*XAU/)]);
    expect(issues({ ...wire, extra: true })).toEqual([expect.stringMatching(/extra/)]);
    expect(issues({ ...wire, type: 'card' })).toHaveLength(1);
  });

  it('sends the amount in the currency’s canonical form with the derived Idempotency-Key', async () => {
    const sent: Array<{ request: WireRequest; key: string }> = [];
    const initiator = indxPaymentInitiator(
      {
        createWire: (request, key) => {
          sent.push({ request, key });
          return Promise.resolve(wireAnswer);
        },
        createTransfer: () => Promise.reject(new Error('not a transfer')),
      },
      assets,
    );
    const initiated = await initiator.initiate(schema.parse({ ...wire, reference: 'INV-1' }), context);
    expect(sent).toEqual([{ request: { accountId: 'acc_1', externalAccountId: 'ext_1', amount: '100.50', currency: 'USD', reference: 'INV-1' }, key: 'finmesh-abc' }]);
    expect(initiated).toEqual({
      providerPaymentId: 'wire_1',
      accountId: 'acc_1',
      amount: { amount: '10050', asset: 'USD/2' },
      rawStatus: { scheme: 'indx.transfer', code: 'pending' },
      providerStatusVersion: '2026-05-01T09:00:00.000Z',
      occurredAt: '2026-05-01T09:00:00.000Z',
    });
  });

  it('polls wires and transfers on their own routes', async () => {
    const asked: string[] = [];
    const poller = indxPaymentPoller({
      wire: (id) => {
        asked.push(`wire ${id}`);
        return Promise.resolve({ ...wireAnswer, status: 'processing', updatedAt: '2026-05-01T09:00:30.000Z' });
      },
      transfer: (id) => {
        asked.push(`transfer ${id}`);
        return Promise.resolve({ id, fromAccountId: 'acc_1', toAccountId: 'acc_2', amount: '1.00', currency: 'USD', status: 'completed', createdAt: '2026-05-01T09:00:00.000Z', updatedAt: '2026-05-01T09:00:10.000Z' });
      },
    });
    const tracked = (id: string, type: string): TrackedPayment => ({ id: 'p', providerPaymentId: id, accountId: 'acc_1', amount: { amount: '100', asset: 'USD/2' }, request: { type }, status: 'accepted' });
    const signal = new AbortController().signal;
    expect((await poller.poll(tracked('wire_1', 'wire_transfer'), { signal })).rawStatus.code).toBe('processing');
    expect((await poller.poll(tracked('trf_1', 'account_transfer'), { signal })).rawStatus.code).toBe('completed');
    expect(asked).toEqual(['wire wire_1', 'transfer trf_1']);
  });
});
