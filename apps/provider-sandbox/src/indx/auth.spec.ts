import { signIndxRequest } from '@finmesh/signing';
import type { Sandbox } from '../sandbox';
import { INDX_CREDENTIALS, indx } from '../testing/indx-requests';
import { createTestSandbox, json } from '../testing/sandbox-fixture';

describe('INDX signature authentication (X-API-KEY, X-API-SIGNATURE, X-API-TIMESTAMP, X-API-NONCE)', () => {
  let sandbox: Sandbox;
  let wallTime: number;

  beforeAll(async () => {
    wallTime = Date.parse('2025-03-03T09:00:00Z');
    sandbox = await createTestSandbox({ liveActivity: false, wallClock: () => wallTime });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  const now = () => new Date(wallTime);

  it('accepts a request signed with the canonical string of @finmesh/signing', async () => {
    const response = await indx(sandbox, 'GET', '/v1/accounts', undefined, { now: now() });
    expect(response.statusCode).toBe(200);
  });

  it.each(['X-API-KEY', 'X-API-SIGNATURE', 'X-API-TIMESTAMP', 'X-API-NONCE'])('refuses a request without %s', async (header) => {
    const signed: Record<string, string> = { ...signIndxRequest({ method: 'GET', pathWithQuery: '/indx/v1/accounts' }, INDX_CREDENTIALS, { now: now() }) };
    delete signed[header];
    const response = await sandbox.app.inject({ method: 'GET', url: '/indx/v1/accounts', headers: signed });
    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual({ error: { code: 'missing_auth_header', message: `Header ${header} is missing.` } });
  });

  it('refuses an unknown key', async () => {
    const response = await indx(sandbox, 'GET', '/v1/accounts', undefined, { now: now(), credentials: { apiKey: 'someone-else', apiSecret: 'x' } });
    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual({ error: { code: 'invalid_api_key', message: 'Header X-API-KEY names no known key.' } });
  });

  it('refuses a signature made with the wrong secret', async () => {
    const response = await indx(sandbox, 'GET', '/v1/accounts', undefined, { now: now(), credentials: { ...INDX_CREDENTIALS, apiSecret: 'wrong' } });
    expect(response.statusCode).toBe(401);
    expect(json<{ error: { code: string; message: string } }>(response).error).toMatchObject({ code: 'invalid_signature', message: expect.stringContaining('Header X-API-SIGNATURE does not match the request.') });
  });

  it('refuses a request whose body or query was changed after signing', async () => {
    const signed = signIndxRequest({ method: 'POST', pathWithQuery: '/indx/v1/transfers', body: '{"amount":"1.00"}' }, INDX_CREDENTIALS, { now: now() });
    const tamperedBody = await sandbox.app.inject({ method: 'POST', url: '/indx/v1/transfers', headers: { ...signed, 'content-type': 'application/json' }, payload: '{"amount":"9.00"}' });
    expect(json(tamperedBody)).toMatchObject({ error: { code: 'invalid_signature' } });
    const signedQuery = signIndxRequest({ method: 'GET', pathWithQuery: '/indx/v1/transactions?limit=1' }, INDX_CREDENTIALS, { now: now() });
    const tamperedQuery = await sandbox.app.inject({ method: 'GET', url: '/indx/v1/transactions?limit=2', headers: signedQuery });
    expect(json(tamperedQuery)).toMatchObject({ error: { code: 'invalid_signature' } });
  });

  it('refuses a stale timestamp (older than 300 s) and one from the future (more than 60 s ahead)', async () => {
    const stale = await indx(sandbox, 'GET', '/v1/accounts', undefined, { now: new Date(wallTime - 301_000) });
    expect(stale.statusCode).toBe(401);
    expect(json(stale)).toEqual({ error: { code: 'stale_timestamp', message: 'Header X-API-TIMESTAMP is older than 300 s.' } });
    const future = await indx(sandbox, 'GET', '/v1/accounts', undefined, { now: new Date(wallTime + 61_000) });
    expect(json(future)).toEqual({ error: { code: 'future_timestamp', message: 'Header X-API-TIMESTAMP is more than 60 s ahead.' } });
    expect((await indx(sandbox, 'GET', '/v1/accounts', undefined, { now: new Date(wallTime - 299_000) })).statusCode).toBe(200);
  });

  it('refuses a replayed nonce, even with a fresh signature', async () => {
    const nonce = 'replay-test-nonce-0001';
    expect((await indx(sandbox, 'GET', '/v1/accounts', undefined, { now: now(), nonce })).statusCode).toBe(200);
    const replayed = await indx(sandbox, 'GET', '/v1/accounts', undefined, { now: now(), nonce });
    expect(replayed.statusCode).toBe(401);
    expect(json(replayed)).toEqual({ error: { code: 'replayed_nonce', message: 'Header X-API-NONCE was already used.' } });
  });

  it('refuses a malformed timestamp or nonce', async () => {
    const signed = signIndxRequest({ method: 'GET', pathWithQuery: '/indx/v1/accounts' }, INDX_CREDENTIALS, { now: now() });
    const response = await sandbox.app.inject({ method: 'GET', url: '/indx/v1/accounts', headers: { ...signed, 'X-API-TIMESTAMP': '2025-03-03' } });
    expect(json(response)).toMatchObject({ error: { code: 'malformed_auth_header' } });
    const shortNonce = await sandbox.app.inject({ method: 'GET', url: '/indx/v1/accounts', headers: { ...signed, 'X-API-NONCE': 'abc' } });
    expect(json(shortNonce)).toMatchObject({ error: { code: 'malformed_auth_header' } });
  });

  it('answers unknown routes with its 404 shape', async () => {
    const response = await indx(sandbox, 'GET', '/v2/everything', undefined, { now: now() });
    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual({ error: { code: 'not_found', message: 'No route GET /indx/v2/everything.' } });
  });
});

describe('INDX requests the framework refuses', () => {
  it('answers an oversized body in the INDX error shape', async () => {
    const sandbox = await createTestSandbox({ liveActivity: false });
    const response = await sandbox.app.inject({ method: 'POST', url: '/indx/v1/transfers', headers: { 'content-type': 'application/json' }, payload: 'x'.repeat(1024 * 1024 + 1) });
    await sandbox.close();
    expect(response.statusCode).toBe(413);
    expect(json(response)).toEqual({ error: { code: 'validation_error', message: expect.stringContaining('Request body is too large') } });
  });
});
