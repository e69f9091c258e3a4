import { ContractError } from '@finmesh/schemas';
import type { FinxAccount } from './client';
import { balanceChange, balanceOf, exactJsonNumber, FinxAssets, isoOfUnixSeconds, type ObservationContext } from './normalize';

const assets = new FinxAssets();
const context: ObservationContext = { observedAt: new Date('2025-03-04T12:00:00.210Z'), correlationId: 'sync-finx-accounts-1', source: 'poll' };
const account = (overrides: Partial<FinxAccount> = {}): FinxAccount => ({
  id: 'xgQQXg3hrtjh7AvZ',
  type: 'savings',
  balance: '5000',
  currency: 'USD',
  owner_id: 'WAz8eIbvDR60rouK',
  created_at: '705103200',
  updated_at: '705103200',
  ...overrides,
});

describe('Fin X balances', () => {
  it('converts the exact decimal text into minor units of the currency', () => {
    expect(balanceOf(account({ balance: '5000.25' }), assets)).toEqual({ amount: '500025', asset: 'USD/2' });
    expect(balanceOf(account({ balance: '150000', currency: 'IDR' }), assets)).toEqual({ amount: '150000', asset: 'IDR/0' });
    expect(balanceOf(account({ balance: '1.5e3' }), assets)).toEqual({ amount: '150000', asset: 'USD/2' });
    // Beyond what a double carries: exact because the text never became a number.
    expect(balanceOf(account({ balance: '12345678901234567.89' }), assets)).toEqual({ amount: '1234567890123456789', asset: 'USD/2' });
  });

  it('refuses a balance with more decimals than the currency has, naming account, value and asset', () => {
    expect(() => balanceOf(account({ balance: '10.005' }), assets)).toThrow(ContractError);
    expect(() => balanceOf(account({ balance: '10.005' }), assets)).toThrow(/xgQQXg3hrtjh7AvZ.*10\.005 USD.*USD\/2/);
    expect(() => balanceOf(account({ balance: '10.5', currency: 'JPY' }), assets)).toThrow(/JPY\/0/);
  });

  it('refuses a currency whose precision it does not know, unless configured', () => {
    expect(() => balanceOf(account({ currency: 'KWD' }), assets)).toThrow(/FINX_ASSETS/);
    expect(balanceOf(account({ currency: 'KWD', balance: '1.234' }), new FinxAssets({ KWD: 3 }))).toEqual({ amount: '1234', asset: 'KWD/3' });
  });

  it('writes a JSON number only when it means exactly the amount', () => {
    expect(exactJsonNumber({ amount: '500025', asset: 'USD/2' })).toBe(5000.25);
    expect(JSON.stringify({ balance: exactJsonNumber({ amount: '10', asset: 'USD/2' }) })).toBe('{"balance":0.1}');
    expect(() => exactJsonNumber({ amount: '1234567890123456725', asset: 'USD/2' })).toThrow(/cannot be sent to Fin X exactly/);
  });

  it('reads Unix seconds', () => {
    expect(isoOfUnixSeconds('705103200')).toBe('1992-05-05T22:00:00.000Z');
  });
});

describe('balanceChange', () => {
  it('publishes the first balance with updated_at as its version', () => {
    const change = balanceChange(account(), undefined, assets, context);
    expect(change?.events).toHaveLength(1);
    expect(change?.events[0]).toMatchObject({
      type: 'balance.updated',
      provider: 'finx',
      source: 'poll',
      occurredAt: '1992-05-05T22:00:00.000Z',
      account: { key: 'finx:xgQQXg3hrtjh7AvZ' },
      data: { asset: 'USD/2', booked: { amount: '500000', asset: 'USD/2' }, asOf: '1992-05-05T22:00:00.000Z', providerVersion: '705103200' },
    });
    expect(change?.kept).toEqual({ asset: 'USD/2', amount: '500000', updatedAt: '705103200', eventId: change?.events[0]?.id });
  });

  it('publishes nothing when balance and currency are unchanged, whatever else changed', () => {
    const first = balanceChange(account(), undefined, assets, context);
    expect(balanceChange(account({ type: 'checking', updated_at: '705103900' }), first?.kept, assets, context)).toBeUndefined();
  });

  it('books a new balance as an adjustment of the difference dated at updated_at, before the balance', () => {
    const first = balanceChange(account(), undefined, assets, context);
    const down = balanceChange(account({ balance: '4999.75', updated_at: '705103260' }), first?.kept, assets, context);
    expect(down?.events.map((event) => event.type)).toEqual(['transaction.posted', 'balance.updated']);
    const [movement, balance] = down?.events ?? [];
    expect(movement).toMatchObject({
      type: 'transaction.posted',
      occurredAt: '1992-05-05T22:01:00.000Z',
      account: { key: 'finx:xgQQXg3hrtjh7AvZ' },
      data: { providerTransactionId: `balance-change:${balance?.id ?? ''}`, direction: 'debit', amount: { amount: '25', asset: 'USD/2' }, kind: 'adjustment', status: 'booked', bookedAt: '1992-05-05T22:01:00.000Z' },
    });
    expect(balance).toMatchObject({ type: 'balance.updated', data: { booked: { amount: '499975', asset: 'USD/2' }, asOf: '1992-05-05T22:01:00.000Z' } });
    const up = balanceChange(account({ balance: '5100', updated_at: '705103320' }), down?.kept, assets, context);
    expect(up?.events[0]).toMatchObject({ type: 'transaction.posted', data: { direction: 'credit', amount: { amount: '10025', asset: 'USD/2' } } });
  });

  it('publishes a changed balance once more on the next observation (the ledger may have compared it before booking the movement), then nothing', () => {
    const first = balanceChange(account(), undefined, assets, context);
    const changed = balanceChange(account({ balance: '6000', updated_at: '705103260' }), first?.kept, assets, context);
    expect(changed?.kept.rechecked).toBe(false);
    const recheck = balanceChange(account({ balance: '6000', updated_at: '705103260' }), changed?.kept, assets, context);
    expect(recheck?.events).toHaveLength(1);
    expect(recheck?.events[0]).toMatchObject({
      type: 'balance.updated',
      data: { booked: { amount: '600000', asset: 'USD/2' }, asOf: '1992-05-05T22:01:00.000Z', providerVersion: '705103260:recheck' },
    });
    expect(recheck?.events[0]?.id).not.toBe(changed?.events.at(-1)?.id);
    expect(recheck?.kept).toEqual({ ...changed?.kept, rechecked: true });
    expect(balanceChange(account({ balance: '6000', updated_at: '705103260' }), recheck?.kept, assets, context)).toBeUndefined();
    // The first balance opens the account: nothing to recheck.
    expect(first?.kept.rechecked).toBeUndefined();
  });

  it('gives the same event id for the same fact, whoever observed it and when', () => {
    const polled = balanceChange(account(), undefined, assets, context);
    const commanded = balanceChange(account(), undefined, assets, { observedAt: new Date('2025-03-05T00:00:00Z'), correlationId: 'other', source: 'command' });
    expect(commanded?.events[0]?.id).toBe(polled?.events[0]?.id);
    expect(balanceChange(account({ balance: '6000', updated_at: '705103260' }), polled?.kept, assets, context)?.events.at(-1)?.id).not.toBe(polled?.events[0]?.id);
  });

  it('closes the old currency position at zero when the currency changes', () => {
    const first = balanceChange(account(), undefined, assets, context);
    const moved = balanceChange(account({ currency: 'EUR', balance: '4600.5', updated_at: '705103260' }), first?.kept, assets, context);
    expect(moved?.events.map((event) => (event.type === 'balance.updated' ? ['balance', event.data.booked] : ['movement', event.data.direction, event.data.amount]))).toEqual([
      ['movement', 'debit', { amount: '500000', asset: 'USD/2' }],
      ['balance', { amount: '0', asset: 'USD/2' }],
      ['movement', 'credit', { amount: '460050', asset: 'EUR/2' }],
      ['balance', { amount: '460050', asset: 'EUR/2' }],
    ]);
    expect(moved?.kept.asset).toBe('EUR/2');
  });
});
