import type { RunningSandbox, Sandbox } from '../sandbox';
import { tapi } from '../testing/indodax-requests';
import { indx } from '../testing/indx-requests';
import { startTestSandbox } from '../testing/running-sandbox';
import { ADMIN_HEADERS, createTestSandbox, json } from '../testing/sandbox-fixture';

const FINX = { authorization: 'Bearer finx-sandbox-token' };

describe('fault injection (admin API /_admin/faults)', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await createTestSandbox({ liveActivity: false });
  });

  afterEach(async () => {
    await sandbox.close();
  });

  async function addFault(spec: Record<string, unknown>): Promise<{ id: string }> {
    const response = await sandbox.app.inject({ method: 'POST', url: '/_admin/faults', headers: ADMIN_HEADERS, payload: spec });
    expect(response.statusCode).toBe(201);
    return json<{ id: string }>(response);
  }

  const finxList = () => sandbox.app.inject({ method: 'GET', url: '/finx/v1/accounts', headers: FINX });

  it('answers 5xx in the provider shape, for a limited count', async () => {
    await addFault({ provider: 'finx', kind: 'error', status: 502, count: 2 });
    const first = await finxList();
    expect(first.statusCode).toBe(502);
    expect(json(first)).toEqual({ type: 'api_error', message: 'The service is temporarily unavailable.' });
    expect((await finxList()).statusCode).toBe(502);
    expect((await finxList()).statusCode).toBe(200);
    const faults = json<{ faults: Array<{ fired: number }> }>(await sandbox.app.inject({ method: 'GET', url: '/_admin/faults', headers: ADMIN_HEADERS }));
    expect(faults.faults[0]?.fired).toBe(2);
  });

  it('answers a 429 burst with Retry-After in the provider shape', async () => {
    await addFault({ provider: 'indx', kind: 'rate_limit', retryAfterSeconds: 7, count: 3 });
    for (let i = 0; i < 3; i += 1) {
      const limited = await indx(sandbox, 'GET', '/v1/accounts');
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('7');
      expect(json(limited)).toEqual({ error: { code: 'rate_limited', message: 'Rate limit exceeded; retry later.' } });
    }
    expect((await indx(sandbox, 'GET', '/v1/accounts')).statusCode).toBe(200);
  });

  it('truncates or breaks the JSON of an otherwise normal answer', async () => {
    const truncate = await addFault({ provider: 'finx', kind: 'truncate', count: 1 });
    const truncated = await finxList();
    expect(truncated.statusCode).toBe(200);
    expect(Number(truncated.headers['content-length'])).toBe(Buffer.byteLength(truncated.body));
    expect(() => JSON.parse(truncated.body) as unknown).toThrow();
    await sandbox.app.inject({ method: 'DELETE', url: `/_admin/faults/${truncate.id}`, headers: ADMIN_HEADERS });
    const whole = await finxList();

    await addFault({ provider: 'finx', kind: 'malformed', count: 1 });
    const malformed = await finxList();
    expect(malformed.statusCode).toBe(200);
    expect(malformed.body.length).toBe(whole.body.length + 1);
    expect(() => JSON.parse(malformed.body) as unknown).toThrow();
  });

  it('adds latency before answering', async () => {
    await addFault({ provider: 'finx', kind: 'latency', latencyMs: 150 });
    const started = Date.now();
    const response = await finxList();
    expect(response.statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('scopes a fault to a route pattern and an HTTP method', async () => {
    await addFault({ provider: 'finx', kind: 'error', route: '/v1/accounts/:id', httpMethod: 'get' });
    expect((await finxList()).statusCode).toBe(200);
    const id = json<{ data: Array<{ id: string }> }>(await finxList()).data[0]?.id ?? '';
    expect((await sandbox.app.inject({ method: 'GET', url: `/finx/v1/accounts/${id}`, headers: FINX })).statusCode).toBe(503);
    expect((await sandbox.app.inject({ method: 'PUT', url: `/finx/v1/accounts/${id}`, headers: FINX, payload: { type: 'savings' } })).statusCode).toBe(200);
  });

  it('scopes a fault to one Indodax TAPI method and leaves other providers alone', async () => {
    await addFault({ provider: 'indodax', kind: 'error', operation: 'trade' });
    expect(json(await tapi(sandbox, 'getInfo'))).toMatchObject({ success: 1 });
    const trade = await tapi(sandbox, 'trade', [['pair', 'btc_idr'], ['type', 'buy'], ['btc', '0.001'], ['price', '1']]);
    expect(trade.statusCode).toBe(503);
    expect(json(trade)).toEqual({ success: 0, error: 'Service unavailable.', error_code: 'service_unavailable' });
    expect((await finxList()).statusCode).toBe(200);
  });

  it('is deterministic for a seed: the same requests fail in the same places', async () => {
    const pattern = async (target: Sandbox): Promise<number[]> => {
      await target.app.inject({ method: 'POST', url: '/_admin/faults', headers: ADMIN_HEADERS, payload: { provider: 'finx', kind: 'error', probability: 0.5, seed: 'fault-seed' } });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i += 1) statuses.push((await target.app.inject({ method: 'GET', url: '/finx/v1/accounts', headers: FINX })).statusCode);
      return statuses;
    };
    const other = await createTestSandbox({ liveActivity: false });
    const first = await pattern(sandbox);
    const second = await pattern(other);
    await other.close();
    expect(first).toEqual(second);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  it('lists, removes and clears faults, and refuses a bad spec', async () => {
    const bad = await sandbox.app.inject({ method: 'POST', url: '/_admin/faults', headers: ADMIN_HEADERS, payload: { provider: 'finx', kind: 'explode' } });
    expect(bad.statusCode).toBe(400);
    await addFault({ provider: 'finx', kind: 'error' });
    await addFault({ provider: 'indx', kind: 'error' });
    const cleared = await sandbox.app.inject({ method: 'DELETE', url: '/_admin/faults?provider=finx', headers: ADMIN_HEADERS });
    expect(json(cleared)).toEqual({ removed: 1 });
    const listed = json<{ faults: Array<{ provider: string }> }>(await sandbox.app.inject({ method: 'GET', url: '/_admin/faults', headers: ADMIN_HEADERS }));
    expect(listed.faults.map((fault) => fault.provider)).toEqual(['indx']);
    expect((await sandbox.app.inject({ method: 'DELETE', url: '/_admin/faults/fault_99', headers: ADMIN_HEADERS })).statusCode).toBe(404);
  });
});

describe('timeout fault (real listener)', () => {
  let running: RunningSandbox;

  beforeEach(async () => {
    running = await startTestSandbox();
  });

  afterEach(async () => {
    await running.close();
  });

  it('holds the request without answering, then drops the connection', async () => {
    await fetch(`${running.url}/_admin/faults`, {
      method: 'POST',
      headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'finx', kind: 'timeout', latencyMs: 200, count: 1 }),
    });
    await expect(fetch(`${running.baseUrls.finx}/v1/accounts`, { headers: FINX })).rejects.toThrow();
    const after = await fetch(`${running.baseUrls.finx}/v1/accounts`, { headers: FINX });
    expect(after.status).toBe(200);
  });

  it('lets a client time out first', async () => {
    await fetch(`${running.url}/_admin/faults`, {
      method: 'POST',
      headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'finx', kind: 'timeout', latencyMs: 60_000, count: 1 }),
    });
    await expect(fetch(`${running.baseUrls.finx}/v1/accounts`, { headers: FINX, signal: AbortSignal.timeout(100) })).rejects.toThrow(/timeout|aborted/i);
  });
});
