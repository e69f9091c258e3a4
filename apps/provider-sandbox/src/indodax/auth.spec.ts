import { indodaxSignature, signIndodaxRequest } from '@finmesh/signing';
import type { Sandbox } from '../sandbox';
import { DOCUMENTED_KEY, nextNonce, tapi } from '../testing/indodax-requests';
import { createTestSandbox, json } from '../testing/sandbox-fixture';

const VIEW_ONLY = { apiKey: 'VIEW-ONLY-KEY', secretKey: 'view-only-secret' };
const TRADE_ONLY = { apiKey: 'TRADE-ONLY-KEY', secretKey: 'trade-only-secret' };

describe('Indodax TAPI authentication (Key + Sign HMAC-SHA512, nonce, timestamp + recvWindow, permissions)', () => {
  let sandbox: Sandbox;
  let wallTime: number;

  beforeAll(async () => {
    wallTime = Date.parse('2025-03-03T09:00:00Z');
    sandbox = await createTestSandbox({
      liveActivity: false,
      wallClock: () => wallTime,
      indodax: {
        keys: [
          { ...DOCUMENTED_KEY, permissions: ['view', 'trade', 'withdraw'] },
          { ...VIEW_ONLY, permissions: ['view'] },
          { ...TRADE_ONLY, permissions: ['trade'] },
        ],
      },
    });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('accepts the documented signed example request byte for byte', async () => {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/indodax/tapi',
      headers: {
        Key: 'AEDHIGAT-QATEGWOX-OPCSCPQX-2E00B1L7-VJBXXKMA',
        Sign: 'bab004e5a518740d7a33b38b44dbebecd3fb39f40b42391af39fcce06edabff5233b3e8064a07c528d1c751a6923d5116026c7786e01b22e2d35277a098cae99',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'method=getInfo&timestamp=1578304294000&recvWindow=1578303937000',
    });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ success: 1, return: { user_id: expect.any(String) } });
  });

  it('accepts an upper-case signature (the signature is not case sensitive)', async () => {
    const signed = signIndodaxRequest({ ...DOCUMENTED_KEY, method: 'getInfo', freshness: { nonce: nextNonce() } });
    const response = await sandbox.app.inject({ method: 'POST', url: '/indodax/tapi', headers: { ...signed.headers, Sign: signed.headers.Sign.toUpperCase() }, payload: signed.body });
    expect(json(response)).toMatchObject({ success: 1 });
  });

  it.each([
    ['a wrong signature', { Sign: 'a'.repeat(128) }, 'Invalid credentials. Bad sign.', 'invalid_credentials'],
    ['an unknown key', { Key: 'UNKNOWN' }, 'Invalid credentials. API not found or session has expired.', 'invalid_credentials'],
    ['no Sign header', { Sign: '' }, 'Invalid credentials. API not found or session has expired.', 'invalid_credentials'],
  ])('refuses %s with the documented envelope', async (_case, override, error, errorCode) => {
    const signed = signIndodaxRequest({ ...DOCUMENTED_KEY, method: 'getInfo', freshness: { nonce: nextNonce() } });
    const headers: Record<string, string> = { ...signed.headers, ...override };
    if (headers.Sign === '') delete headers.Sign;
    const response = await sandbox.app.inject({ method: 'POST', url: '/indodax/tapi', headers, payload: signed.body });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ success: 0, error, error_code: errorCode });
  });

  it('requires each nonce to be greater than the last one used with the key', async () => {
    const nonce = nextNonce();
    expect(json(await tapi(sandbox, 'getInfo', [], { freshness: { nonce } }))).toMatchObject({ success: 1 });
    const replayed = await tapi(sandbox, 'getInfo', [], { freshness: { nonce } });
    expect(json(replayed)).toEqual({ success: 0, error: 'Invalid nonce: it must be greater than the last nonce used with this key.', error_code: 'invalid_nonce' });
    expect(json(await tapi(sandbox, 'getInfo', [], { freshness: { nonce: nonce - 5n } }))).toMatchObject({ error_code: 'invalid_nonce' });
  });

  it('applies the documented timestamp rule: reject when timestamp >= serverTime + 1000 or serverTime - timestamp > recvWindow', async () => {
    const ok = await tapi(sandbox, 'getInfo', [], { freshness: { timestamp: wallTime - 4_999 } });
    expect(json(ok)).toMatchObject({ success: 1 });
    const stale = await tapi(sandbox, 'getInfo', [], { freshness: { timestamp: wallTime - 5_001 } });
    expect(json(stale)).toMatchObject({ success: 0, error_code: 'invalid_timestamp' });
    const widened = await tapi(sandbox, 'getInfo', [], { freshness: { timestamp: wallTime - 5_001, recvWindowMs: 10_000 } });
    expect(json(widened)).toMatchObject({ success: 1 });
    const future = await tapi(sandbox, 'getInfo', [], { freshness: { timestamp: wallTime + 1_000 } });
    expect(json(future)).toEqual({ success: 0, error: 'Invalid timestamp: it is ahead of the server time.', error_code: 'invalid_timestamp' });
  });

  it('enforces the key permissions (view / trade / withdraw)', async () => {
    const viewTrade = await tapi(sandbox, 'trade', [['pair', 'btc_idr'], ['type', 'buy'], ['idr', '100000'], ['price', '1']], { key: VIEW_ONLY });
    expect(json(viewTrade)).toEqual({ success: 0, error: 'No permission', error_code: 'no_permission' });
    expect(json(await tapi(sandbox, 'getInfo', [], { key: VIEW_ONLY }))).toMatchObject({ success: 1 });
    expect(json(await tapi(sandbox, 'getInfo', [], { key: TRADE_ONLY }))).toMatchObject({ error_code: 'no_permission' });
    expect(json(await tapi(sandbox, 'withdrawFee', [['currency', 'btc']], { key: TRADE_ONLY }))).toMatchObject({ error_code: 'no_permission' });
  });

  it('answers an unknown method, a body without method, GET and unknown paths', async () => {
    expect(json(await tapi(sandbox, 'listDownlines'))).toEqual({ success: 0, error: 'Invalid method: listDownlines.', error_code: 'invalid_method' });
    const noMethodBody = `nonce=${nextNonce()}`;
    const noMethod = await sandbox.app.inject({
      method: 'POST',
      url: '/indodax/tapi',
      headers: { Key: DOCUMENTED_KEY.apiKey, Sign: indodaxSignature(DOCUMENTED_KEY.secretKey, noMethodBody), 'content-type': 'application/x-www-form-urlencoded' },
      payload: noMethodBody,
    });
    expect(json(noMethod)).toEqual({ success: 0, error: 'Invalid request: parameter method is missing.', error_code: 'invalid_request' });
    const get = await sandbox.app.inject({ method: 'GET', url: '/indodax/tapi' });
    expect(json(get)).toMatchObject({ success: 0, error: 'All requests must be sent with POST.' });
    const unknown = await sandbox.app.inject({ method: 'POST', url: '/indodax/api/other' });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toMatchObject({ success: 0, error_code: 'not_found' });
  });
});
