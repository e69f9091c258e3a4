import type { Sandbox } from '../sandbox';
import { tapi } from '../testing/indodax-requests';
import { createTestSandbox, json } from '../testing/sandbox-fixture';

interface InfoBody {
  success: number;
  return: {
    server_time: number;
    balance: Record<string, string | number>;
    balance_hold: Record<string, string | number>;
    address: Record<string, string>;
    network: Record<string, string | string[]>;
  };
}

interface HistoryBody {
  success: number;
  return: { withdraw: Record<string, Array<Record<string, string>>>; deposit: Record<string, Array<Record<string, string>>> };
}

describe('Indodax getInfo and transHistory', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await createTestSandbox({ liveActivity: false, size: { accounts: 1, transactionsPerAccount: 40, historyDays: 30 } });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('getInfo: IDR as a number, coins as 8-decimal strings, balance + balance_hold = the ground truth', async () => {
    const body = json<InfoBody>(await tapi(sandbox, 'getInfo'));
    expect(body.success).toBe(1);
    expect(body.return.server_time).toBe(Date.parse('2025-03-03T09:00:00Z') / 1000);
    expect(typeof body.return.balance.idr).toBe('number');
    expect(body.return.balance.btc).toMatch(/^\d+\.\d{8}$/);
    expect(body.return.network).toMatchObject({ btc: 'mainnet', eth: ['eth', 'arb', 'op', 'base'] });
    expect(Object.keys(body.return)).toEqual([
      'server_time',
      'balance',
      'balance_hold',
      'address',
      'network',
      'memo_is_required',
      'user_id',
      'name',
      'email',
      'profile_picture',
      'verification_status',
      'gauth_enable',
      'withdraw_status',
    ]);
    for (const truth of sandbox.groundTruth('indodax', { includeTransactions: false })) {
      const code = truth.accountId;
      const toMinor = (value: string | number | undefined) => BigInt(String(value).replace('.', ''));
      expect(toMinor(body.return.balance[code]) + toMinor(body.return.balance_hold[code])).toBe(BigInt(truth.balance.amount));
    }
  });

  it('transHistory: the last 7 days by default, newest first, every currency listed', async () => {
    const body = json<HistoryBody>(await tapi(sandbox, 'transHistory'));
    expect(body.success).toBe(1);
    expect(Object.keys(body.return.deposit)).toEqual(['idr', 'btc', 'eth', 'usdt', 'ltc', 'doge']);
    const now = Date.parse('2025-03-03T09:00:00Z') / 1000;
    for (const list of [...Object.values(body.return.deposit), ...Object.values(body.return.withdraw)]) {
      const times = list.map((item) => Number(item.submit_time ?? item.success_time));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      for (const time of times) expect(time).toBeGreaterThan(now - 8 * 86_400);
    }
    const idrDeposit = body.return.deposit.idr?.[0];
    if (idrDeposit) {
      expect(Object.keys(idrDeposit)).toEqual(['status', 'type', 'rp', 'fee', 'amount', 'submit_time', 'success_time', 'deposit_id', 'tx']);
      expect(BigInt(idrDeposit.rp ?? '0') - BigInt(idrDeposit.fee ?? '0')).toBe(BigInt(idrDeposit.amount ?? '0'));
    }
  });

  it('transHistory over several windows covers exactly the ground-truth deposits and withdrawals', async () => {
    const deposits = new Set<string>();
    const withdrawals = new Set<string>();
    for (const [start, end] of [
      ['2025-01-25', '2025-02-01'],
      ['2025-02-02', '2025-02-09'],
      ['2025-02-10', '2025-02-17'],
      ['2025-02-18', '2025-02-25'],
      ['2025-02-26', '2025-03-03'],
    ] as const) {
      const body = json<HistoryBody>(await tapi(sandbox, 'transHistory', [['start', start], ['end', end]]));
      for (const list of Object.values(body.return.deposit)) for (const item of list) deposits.add(item.deposit_id ?? '');
      for (const list of Object.values(body.return.withdraw)) for (const item of list) withdrawals.add(item.withdraw_id ?? '');
    }
    const truth = sandbox.groundTruth('indodax').flatMap((account) => account.transactions ?? []);
    const truthDeposits = new Set(truth.flatMap((entry) => (entry.references.deposit_id ? [entry.references.deposit_id] : [])));
    const truthWithdrawals = new Set(truth.flatMap((entry) => (entry.references.withdraw_id ? [entry.references.withdraw_id] : [])));
    expect([...deposits].sort()).toEqual([...truthDeposits].sort());
    expect([...withdrawals].sort()).toEqual([...truthWithdrawals].sort());
  });

  it.each([
    [[['start', '2024/07/01']], 'date format must be formatted yyyy-mm-dd'],
    [[['start', '2024-02-30']], 'date format must be formatted yyyy-mm-dd'],
    [[['start', '2024-07-01'], ['end', '2024-07-09']], "range date can't more than 7 days"],
    [[['start', '2024-07-07'], ['end', '2024-07-01']], 'start date must be less then end date'],
  ])('transHistory %j answers the documented error', async (params, error) => {
    const body = json(await tapi(sandbox, 'transHistory', params as Array<[string, string]>));
    expect(body).toEqual({ success: 0, error, error_code: 'invalid_date' });
  });
});
