import { formatMinorUnits, reconcile, type GroundTruth, type LedgerBalance } from './reconcile';

const money = (amount: string, asset: string) => ({ amount, asset });
const truth: GroundTruth = {
  asOf: '2026-01-01T00:00:00Z',
  providers: {
    indx: [
      { provider: 'indx', accountId: 'acc_1', asset: 'EUR/2', status: 'open', balance: money('10000', 'EUR/2') },
      { provider: 'indx', accountId: 'acc_2', asset: 'USD/2', status: 'open', balance: money('500', 'USD/2') },
      { provider: 'indx', accountId: 'acc_3', asset: 'USD/2', status: 'open', balance: money('7', 'USD/2') },
    ],
    finx: [{ provider: 'finx', accountId: 'fx_1', asset: 'SGD/2', status: 'open', balance: money('1', 'SGD/2') }],
  },
};
const balance = (key: string, asset: string, booked: string): LedgerBalance => ({
  providerAccountKey: key,
  asset,
  booked: money(booked, asset),
  held: money('0', asset),
});

describe('reconcile (ledger vs sandbox ground truth)', () => {
  it('judges each account of a connected provider: equal, differs, missing, ledger-only', () => {
    const result = reconcile(
      truth,
      [balance('indx:acc_1', 'EUR/2', '10000'), balance('indx:acc_2', 'USD/2', '499'), balance('indx:acc_9', 'EUR/2', '1')],
      new Set(['indx']),
    );
    const states = Object.fromEntries(result.accounts.map((account) => [`${account.provider}:${account.accountId}`, account.state]));
    expect(states).toEqual({
      'indx:acc_1': 'equal',
      'indx:acc_2': 'differs',
      'indx:acc_3': 'missing',
      'indx:acc_9': 'ledger-only',
      'finx:fx_1': 'no-connector',
    });
    expect(result.allEqual).toBe(false);
    expect(result.providers.find((provider) => provider.provider === 'indx')).toMatchObject({ accounts: 4, equal: 1, differs: 1, missing: 1, ledgerOnly: 1 });
    expect(result.providers.find((provider) => provider.provider === 'finx')).toMatchObject({ connected: false, accounts: 1 });
  });

  it('is all equal only when every account of every connected provider is, and there is one', () => {
    const ledger = [balance('indx:acc_1', 'EUR/2', '10000'), balance('indx:acc_2', 'USD/2', '500'), balance('indx:acc_3', 'USD/2', '7')];
    expect(reconcile(truth, ledger, new Set(['indx'])).allEqual).toBe(true);
    expect(reconcile(truth, ledger, new Set()).allEqual).toBe(false);
  });

  it('compares per asset: the same account in another asset is another row', () => {
    const result = reconcile(truth, [balance('indx:acc_1', 'USD/2', '10000')], new Set(['indx']));
    expect(result.accounts.filter((account) => account.accountId === 'acc_1').map((account) => account.state).sort()).toEqual(['ledger-only', 'missing']);
  });

  it('formats minor units in the asset precision without floating point', () => {
    expect(formatMinorUnits('12345', 'EUR/2')).toBe('123.45');
    expect(formatMinorUnits('-5', 'EUR/2')).toBe('-0.05');
    expect(formatMinorUnits('1', 'BTC/8')).toBe('0.00000001');
    expect(formatMinorUnits('123456789012345678901234567890', 'IDR/0')).toBe('123456789012345678901234567890');
  });
});
