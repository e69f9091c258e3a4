import type { Sandbox } from '../sandbox';
import { createTestSandbox, json } from '../testing/sandbox-fixture';

const AUTH = { authorization: 'Bearer finx-sandbox-token' };

interface FinxAccountBody {
  id: string;
  type: string;
  balance: number;
  currency: string;
  owner_id: string;
  created_at: number;
  updated_at: number;
}

describe('Fin X accounts (/finx/v1/accounts)', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await createTestSandbox({ liveActivity: false });
  });

  afterEach(async () => {
    await sandbox.close();
  });

  it('refuses a request without the bearer token, or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic abc' }]) {
      const response = await sandbox.app.inject({ method: 'GET', url: '/finx/v1/accounts', headers });
      expect(response.statusCode).toBe(401);
      expect(json(response)).toEqual({ type: 'invalid_request', message: expect.stringContaining('bearer token') });
    }
  });

  it('lists accounts in the documented shape with has_more pagination', async () => {
    const first = await sandbox.app.inject({ method: 'GET', url: '/finx/v1/accounts?limit=1', headers: AUTH });
    expect(first.statusCode).toBe(200);
    const page = json<{ has_more: boolean; data: FinxAccountBody[] }>(first);
    expect(page.has_more).toBe(true);
    expect(page.data).toHaveLength(1);
    expect(Object.keys(page.data[0] ?? {})).toEqual(['id', 'type', 'balance', 'currency', 'owner_id', 'created_at', 'updated_at']);
    expect(typeof page.data[0]?.balance).toBe('number');

    const rest = await sandbox.app.inject({
      method: 'GET',
      url: `/finx/v1/accounts?limit=10&starting_after=${page.data[0]?.id ?? ''}`,
      headers: AUTH,
    });
    expect(json<{ has_more: boolean; data: FinxAccountBody[] }>(rest)).toMatchObject({ has_more: false, data: [expect.any(Object)] });
  });

  it('creates from a form body (as the documented curl sends), retrieves, updates and deletes', async () => {
    const created = await sandbox.app.inject({
      method: 'POST',
      url: '/finx/v1/accounts',
      headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'type=savings&balance=5000&currency=USD&owner_id=WAz8eIbvDR60rouK',
    });
    expect(created.statusCode).toBe(200);
    const account = json<FinxAccountBody>(created);
    expect(account).toMatchObject({ type: 'savings', balance: 5000, currency: 'USD', owner_id: 'WAz8eIbvDR60rouK' });
    expect(account.id).toMatch(/^[A-Za-z0-9]{16}$/);

    const updated = await sandbox.app.inject({
      method: 'PUT',
      url: `/finx/v1/accounts/${account.id}`,
      headers: AUTH,
      payload: { balance: 6000.25 },
    });
    expect(updated.body).toContain('"balance":6000.25');

    const truth = sandbox.groundTruth('finx', { accountId: account.id })[0];
    expect(truth?.balance).toEqual({ amount: '600025', asset: 'USD/2' });
    expect(truth?.transactions?.map((entry) => entry.amount.amount)).toEqual(['500000', '100025']);

    const deleted = await sandbox.app.inject({ method: 'DELETE', url: `/finx/v1/accounts/${account.id}`, headers: AUTH });
    expect(deleted.statusCode).toBe(204);
    const gone = await sandbox.app.inject({ method: 'GET', url: `/finx/v1/accounts/${account.id}`, headers: AUTH });
    expect(gone.statusCode).toBe(404);
    expect(json(gone)).toEqual({ type: 'invalid_request', message: `No account with id ${account.id}.` });
  });

  it('filters by type and owner_id', async () => {
    const all = json<{ data: FinxAccountBody[] }>(await sandbox.app.inject({ method: 'GET', url: '/finx/v1/accounts', headers: AUTH }));
    const owner = all.data[0]?.owner_id ?? '';
    const filtered = json<{ data: FinxAccountBody[] }>(
      await sandbox.app.inject({ method: 'GET', url: `/finx/v1/accounts?owner_id=${owner}`, headers: AUTH }),
    );
    expect(filtered.data.length).toBeGreaterThan(0);
    expect(filtered.data.every((account) => account.owner_id === owner)).toBe(true);
  });

  it('writes balances from exact decimals, never through a float', async () => {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/finx/v1/accounts',
      headers: AUTH,
      payload: '{"type":"checking","balance":90071992547409.93,"currency":"USD","owner_id":"o1"}',
    });
    expect(response.body).toContain('"balance":90071992547409.93');
  });
});

describe('Fin X bad input (one sandbox: nothing here changes it)', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await createTestSandbox({ liveActivity: false });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it.each([
    [{ type: 'savings', currency: 'USD', owner_id: 'o1' }, 'Missing required attributes: balance.'],
    [{ type: 'savings', balance: 10.001, currency: 'USD', owner_id: 'o1' }, 'balance 10.001 has more decimals than USD allows (2).'],
    [{ type: 'savings', balance: '1e5', currency: 'USD', owner_id: 'o1' }, 'balance 1e5 is not a decimal number.'],
    [{ type: 'savings', balance: 10, currency: 'XXX', owner_id: 'o1' }, 'currency XXX is not supported.'],
    [{ type: 'savings', balance: -1, currency: 'USD', owner_id: 'o1' }, 'balance must not be negative.'],
  ])('answers bad input %j with 400 and a clear message', async (payload, message) => {
    const response = await sandbox.app.inject({ method: 'POST', url: '/finx/v1/accounts', headers: AUTH, payload });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({ type: 'invalid_request', message });
  });

  it('answers malformed JSON and unknown routes in its own shape', async () => {
    const malformed = await sandbox.app.inject({
      method: 'POST',
      url: '/finx/v1/accounts',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{"type":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(json(malformed)).toEqual({ type: 'invalid_request', message: 'the body is not valid JSON' });
    const unknown = await sandbox.app.inject({ method: 'GET', url: '/finx/v2/nothing', headers: AUTH });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({ type: 'invalid_request', message: 'No route GET /finx/v2/nothing' });
  });
});
