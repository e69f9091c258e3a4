import type { GroundTruthAccount } from '../core/ground-truth';
import type { Sandbox } from '../sandbox';
import { ADMIN_HEADERS, createTestSandbox, json } from '../testing/sandbox-fixture';

describe('admin API: auth, clock, ground truth, config', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await createTestSandbox();
  });

  afterEach(async () => {
    await sandbox.close();
  });

  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    sandbox.app.inject({ method, url: `/_admin${url}`, headers: ADMIN_HEADERS, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

  it('needs the admin token', async () => {
    const response = await sandbox.app.inject({ method: 'GET', url: '/_admin/ground-truth' });
    expect(response.statusCode).toBe(401);
    expect(json(response)).toMatchObject({ error: 'unauthorized' });
    const wrong = await sandbox.app.inject({ method: 'GET', url: '/_admin/clock', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
  });

  it('advances the clock by ms, seconds or to an instant, never backwards, and switches modes', async () => {
    expect(json(await admin('GET', '/clock'))).toMatchObject({ now: '2025-03-03T09:00:00.000Z', mode: 'manual' });
    expect(json(await admin('POST', '/clock/advance', { ms: 1_500 }))).toMatchObject({ now: '2025-03-03T09:00:01.500Z' });
    expect(json(await admin('POST', '/clock/advance', { seconds: 60 }))).toMatchObject({ now: '2025-03-03T09:01:01.500Z', tasksRun: expect.any(Number) });
    expect(json(await admin('POST', '/clock/advance', { to: '2025-03-03T10:00:00Z' }))).toMatchObject({ now: '2025-03-03T10:00:00.000Z' });
    const backwards = await admin('POST', '/clock/advance', { to: '2025-03-03T09:00:00Z' });
    expect(backwards.statusCode).toBe(400);
    const both = await admin('POST', '/clock/advance', { ms: 1, seconds: 1 });
    expect(json(both)).toEqual({ error: 'bad_request', message: 'give exactly one of ms, seconds or to' });
    expect(json(await admin('PUT', '/clock/mode', { mode: 'realtime', speed: 10 }))).toMatchObject({ mode: 'realtime', speed: 10 });
    expect(json(await admin('PUT', '/clock/mode', { mode: 'manual' }))).toMatchObject({ mode: 'manual' });
  });

  it('keeps every account consistent: balance = sum of booked entries, available = balance − pending debits, as time runs', async () => {
    await admin('POST', '/clock/advance', { ms: 30 * 60_000 });
    const body = json<{ asOf: string; providers: Record<string, GroundTruthAccount[]> }>(await admin('GET', '/ground-truth'));
    expect(body.asOf).toBe('2025-03-03T09:30:00.000Z');
    expect(Object.keys(body.providers)).toEqual(['indx', 'indexo', 'indodax', 'findigi', 'finx']);
    for (const accounts of Object.values(body.providers)) {
      expect(accounts.length).toBeGreaterThan(0);
      for (const account of accounts) {
        const booked = (account.transactions ?? []).filter((entry) => entry.status === 'booked' && entry.amount.asset === account.asset);
        const pendingDebits = (account.transactions ?? []).filter((entry) => entry.status === 'pending' && entry.amount.amount.startsWith('-'));
        const sum = booked.reduce((total, entry) => total + BigInt(entry.amount.amount), 0n);
        const held = pendingDebits.reduce((total, entry) => total + BigInt(entry.amount.amount), 0n);
        expect({ account: account.accountId, balance: account.balance.amount }).toEqual({ account: account.accountId, balance: sum.toString() });
        expect(BigInt(account.available.amount)).toBe(sum + held);
        expect(account.balance.asset).toBe(account.asset);
        expect(account.asset).toMatch(/^[A-Z]{3,5}\/\d$/);
      }
    }
  });

  it('filters the ground truth by provider and account, and can leave the transactions out', async () => {
    const indodax = json<{ providers: Record<string, GroundTruthAccount[]> }>(await admin('GET', '/ground-truth?provider=indodax&transactions=false'));
    expect(Object.keys(indodax.providers)).toEqual(['indodax']);
    expect(indodax.providers.indodax?.map((account) => account.accountId)).toEqual(['idr', 'btc', 'eth', 'usdt', 'ltc', 'doge']);
    expect(indodax.providers.indodax?.[0]).toEqual({
      provider: 'indodax',
      accountId: 'idr',
      references: { currency: 'idr', user_id: expect.any(String) },
      asset: 'IDR/0',
      status: 'open',
      balance: { amount: expect.stringMatching(/^\d+$/), asset: 'IDR/0' },
      available: { amount: expect.any(String), asset: 'IDR/0' },
      onHold: { amount: '0', asset: 'IDR/0' },
      transactionCount: expect.any(Number),
    });
    const one = json<{ providers: Record<string, GroundTruthAccount[]> }>(await admin('GET', '/ground-truth?provider=indodax&account=btc'));
    expect(one.providers.indodax).toHaveLength(1);
    expect(one.providers.indodax?.[0]?.transactions?.[0]).toMatchObject({ id: expect.any(String), status: 'booked', amount: { asset: 'BTC/8' }, kind: 'deposit' });
    expect((await admin('GET', '/ground-truth?provider=nobody')).statusCode).toBe(400);
    expect((await admin('GET', '/ground-truth?provider=indodax&account=xyz')).statusCode).toBe(404);
    expect((await admin('GET', '/ground-truth?account=xyz')).statusCode).toBe(400);
  });

  it('shows the configuration with base paths and the sandbox credentials', async () => {
    const config = json<{ basePaths: Record<string, string>; credentials: { finx: { tokens: string[] } } }>(await admin('GET', '/config'));
    expect(config.basePaths).toEqual({ indx: '/indx', indexo: '/indexo', indodax: '/indodax', findigi: '/findigi', finx: '/finx' });
    expect(config.credentials.finx.tokens).toEqual(['finx-sandbox-token']);
    expect((await admin('GET', '/nothing')).statusCode).toBe(404);
  });

  it('answers health and unknown top-level routes', async () => {
    expect(json(await sandbox.app.inject({ method: 'GET', url: '/health/live' }))).toEqual({ status: 'ok' });
    expect(json(await sandbox.app.inject({ method: 'GET', url: '/health/ready' }))).toMatchObject({ status: 'ready' });
    const unknown = await sandbox.app.inject({ method: 'GET', url: '/elsewhere' });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({ error: 'not_found', message: 'no sandbox route GET /elsewhere' });
  });
});
