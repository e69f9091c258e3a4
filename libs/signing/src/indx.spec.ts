import { createHash, createHmac } from 'node:crypto';
import { InMemoryReplayStore } from './replay-store';
import {
  INDX_HEADERS,
  indxCanonicalString,
  signIndxRequest,
  verifyIndxRequest,
  type IndxIncomingRequest,
  type IndxSignedHeaders,
  type IndxVerifierOptions,
} from './indx';
import { SigningInputError, VerificationFailureReason, type VerificationResult } from './verification';

const API_KEY = 'indx-key-1';
const API_SECRET = 'indx-secret-s3cr3t-value';
const NOW = new Date('2025-06-01T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const NONCE = '0123456789abcdef0123456789abcdef';
const BODY = '{"amount":"100.00","currency":"USD"}';

function options(overrides: Partial<IndxVerifierOptions> = {}): IndxVerifierOptions {
  return {
    secretForKey: (apiKey) => (apiKey === API_KEY ? API_SECRET : undefined),
    replayStore: new InMemoryReplayStore(),
    now: () => NOW,
    ...overrides,
  };
}

function signed(headersOverride: Partial<IndxSignedHeaders> = {}, at: Date = NOW, nonce = NONCE): IndxIncomingRequest {
  const headers = signIndxRequest(
    { method: 'POST', pathWithQuery: '/v1/transfers?dry_run=false', body: BODY },
    { apiKey: API_KEY, apiSecret: API_SECRET },
    { now: at, nonce },
  );
  return { method: 'POST', pathWithQuery: '/v1/transfers?dry_run=false', body: BODY, headers: { ...headers, ...headersOverride } };
}

function reasonOf(result: VerificationResult<unknown>): VerificationFailureReason | 'ok' {
  return result.ok ? 'ok' : result.reason;
}

describe('INDX canonical string', () => {
  it('joins timestamp, nonce, upper-case method, path with query and body SHA-256 with LF', () => {
    const bodyHash = createHash('sha256').update(BODY).digest('hex');
    expect(
      indxCanonicalString({ timestamp: '1748779200', nonce: NONCE, method: 'post', pathWithQuery: '/v1/transfers?a=1&b=2', body: BODY }),
    ).toBe(`1748779200\n${NONCE}\nPOST\n/v1/transfers?a=1&b=2\n${bodyHash}`);
  });

  it('hashes zero bytes when there is no body', () => {
    expect(indxCanonicalString({ timestamp: '1', nonce: NONCE, method: 'GET', pathWithQuery: '/v1/accounts' })).toBe(
      `1\n${NONCE}\nGET\n/v1/accounts\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`,
    );
  });
});

describe('signIndxRequest', () => {
  it('reproduces the reference vector published in docs/signing.md (checked there with openssl)', () => {
    const headers = signIndxRequest(
      {
        method: 'POST',
        pathWithQuery: '/v1/transfers?dry_run=false',
        body: '{"from_account":"acc_1","to_account":"acc_2","amount":"100.00","currency":"USD"}',
      },
      { apiKey: 'indx-doc-key', apiSecret: 'indx-doc-secret' },
      { now: new Date(1748779200 * 1000), nonce: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' },
    );
    expect(headers).toEqual({
      'X-API-KEY': 'indx-doc-key',
      'X-API-SIGNATURE': '7d40371fdf785b56fd6416f56289b1ae9921101591e6727732b928d75837c32c',
      'X-API-TIMESTAMP': '1748779200',
      'X-API-NONCE': '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    });
  });

  it('sends the four headers: key, hex HMAC-SHA256 of the canonical string, Unix seconds and the nonce', () => {
    const headers = signIndxRequest(
      { method: 'GET', pathWithQuery: '/v1/accounts?limit=10' },
      { apiKey: API_KEY, apiSecret: API_SECRET },
      { now: NOW, nonce: NONCE },
    );
    const canonical = `${NOW_SECONDS}\n${NONCE}\nGET\n/v1/accounts?limit=10\n${createHash('sha256').update('').digest('hex')}`;
    expect(headers).toEqual({
      'X-API-KEY': API_KEY,
      'X-API-SIGNATURE': createHmac('sha256', API_SECRET).update(canonical).digest('hex'),
      'X-API-TIMESTAMP': String(NOW_SECONDS),
      'X-API-NONCE': NONCE,
    });
  });

  it('makes a fresh 128-bit nonce per request', () => {
    const credentials = { apiKey: API_KEY, apiSecret: API_SECRET };
    const first = signIndxRequest({ method: 'GET', pathWithQuery: '/v1/accounts' }, credentials);
    const second = signIndxRequest({ method: 'GET', pathWithQuery: '/v1/accounts' }, credentials);
    expect(first['X-API-NONCE']).toMatch(/^[0-9a-f]{32}$/);
    expect(first['X-API-NONCE']).not.toBe(second['X-API-NONCE']);
  });

  it.each([
    [{ method: 'GET', pathWithQuery: 'v1/accounts' }, { apiKey: API_KEY, apiSecret: API_SECRET }, {}],
    [{ method: 'GET', pathWithQuery: '/v1/a b' }, { apiKey: API_KEY, apiSecret: API_SECRET }, {}],
    [{ method: 'GET', pathWithQuery: '/v1/a\nb' }, { apiKey: API_KEY, apiSecret: API_SECRET }, {}],
    [{ method: 'GE T', pathWithQuery: '/v1' }, { apiKey: API_KEY, apiSecret: API_SECRET }, {}],
    [{ method: 'GET', pathWithQuery: '/v1' }, { apiKey: API_KEY, apiSecret: '' }, {}],
    [{ method: 'GET', pathWithQuery: '/v1' }, { apiKey: 'key\r\nX-Injected: 1', apiSecret: API_SECRET }, {}],
    [{ method: 'GET', pathWithQuery: '/v1' }, { apiKey: API_KEY, apiSecret: API_SECRET }, { nonce: 'short' }],
    [{ method: 'GET', pathWithQuery: '/v1' }, { apiKey: API_KEY, apiSecret: API_SECRET }, { nonce: `${NONCE}\n` }],
  ])('refuses unusable input %#, without echoing it', (request, credentials, signOptions) => {
    expect(() => signIndxRequest(request, credentials, signOptions)).toThrow(SigningInputError);
    try {
      signIndxRequest(request, credentials, signOptions);
    } catch (error: unknown) {
      expect((error as Error).message).not.toContain(API_SECRET);
    }
  });
});

describe('verifyIndxRequest', () => {
  it('accepts a signed request and returns its key, timestamp and nonce', async () => {
    expect(await verifyIndxRequest(signed(), options())).toEqual({
      ok: true,
      value: { apiKey: API_KEY, timestamp: NOW_SECONDS, nonce: NONCE },
    });
  });

  it('accepts a request whose headers arrive in lower case (as Node delivers them), and an upper-case hex signature', async () => {
    const request = signed();
    const lowerCased = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
    lowerCased['x-api-signature'] = String(lowerCased['x-api-signature']).toUpperCase();
    expect(reasonOf(await verifyIndxRequest({ ...request, headers: lowerCased }, options()))).toBe('ok');
  });

  it.each(Object.values(INDX_HEADERS))('reports a missing %s', async (header) => {
    const request = signed();
    const headers = { ...(request.headers as Record<string, string>) };
    delete headers[header];
    const result = await verifyIndxRequest({ ...request, headers }, options());
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MissingHeader });
    expect(result.ok || result.detail).toContain(header);
  });

  it('reports an unknown key', async () => {
    const result = await verifyIndxRequest(signed({ 'X-API-KEY': 'someone-else' }), options());
    expect(reasonOf(result)).toBe(VerificationFailureReason.UnknownKey);
  });

  it.each([
    ['signed with another secret', (h: IndxSignedHeaders) => signIndxRequestWithSecret(h, 'wrong-secret')],
    ['truncated', (h: IndxSignedHeaders) => h['X-API-SIGNATURE'].slice(0, 63)],
    ['extended', (h: IndxSignedHeaders) => `${h['X-API-SIGNATURE']}00`],
    ['not hex', (h: IndxSignedHeaders) => `${h['X-API-SIGNATURE'].slice(0, 63)}g`],
    ['base64 instead of hex', (h: IndxSignedHeaders) => Buffer.from(h['X-API-SIGNATURE'], 'hex').toString('base64')],
  ])('reports a bad signature: %s', async (_label, tamper) => {
    const request = signed();
    const headers = request.headers as unknown as IndxSignedHeaders;
    const result = await verifyIndxRequest({ ...request, headers: { ...headers, 'X-API-SIGNATURE': tamper(headers) } }, options());
    expect(reasonOf(result)).toBe(VerificationFailureReason.BadSignature);
  });

  it.each([
    ['method', { method: 'PUT' }],
    ['path', { pathWithQuery: '/v1/transfers?dry_run=true' }],
    ['body', { body: BODY.replace('100.00', '900.00') }],
    ['missing body', { body: undefined }],
  ])('reports a bad signature when the %s changed in transit', async (_label, change) => {
    expect(reasonOf(await verifyIndxRequest({ ...signed(), ...change }, options()))).toBe(VerificationFailureReason.BadSignature);
  });

  it('accepts timestamps up to the configured age and skew, and rejects beyond them', async () => {
    const at = (offsetSeconds: number) => new Date(NOW.getTime() + offsetSeconds * 1000);
    expect(reasonOf(await verifyIndxRequest(signed({}, at(-300)), options()))).toBe('ok');
    expect(reasonOf(await verifyIndxRequest(signed({}, at(-301)), options()))).toBe(VerificationFailureReason.StaleTimestamp);
    expect(reasonOf(await verifyIndxRequest(signed({}, at(60)), options()))).toBe('ok');
    expect(reasonOf(await verifyIndxRequest(signed({}, at(61)), options()))).toBe(VerificationFailureReason.FutureTimestamp);

    const narrow = { maxAgeSeconds: 10, maxFutureSkewSeconds: 0 };
    expect(reasonOf(await verifyIndxRequest(signed({}, at(-11)), options(narrow)))).toBe(VerificationFailureReason.StaleTimestamp);
    expect(reasonOf(await verifyIndxRequest(signed({}, at(1)), options(narrow)))).toBe(VerificationFailureReason.FutureTimestamp);
    expect(reasonOf(await verifyIndxRequest(signed({}, at(0)), options(narrow)))).toBe('ok');
  });

  it('rejects a replayed nonce for the same key, and keeps it until the timestamp could no longer pass', async () => {
    const replayStore = new InMemoryReplayStore();
    const seen = jest.spyOn(replayStore, 'seen');
    expect(reasonOf(await verifyIndxRequest(signed(), options({ replayStore })))).toBe('ok');
    expect(reasonOf(await verifyIndxRequest(signed(), options({ replayStore })))).toBe(VerificationFailureReason.ReplayedNonce);
    expect(seen).toHaveBeenCalledWith(`indx:${API_KEY}`, NONCE, new Date((NOW_SECONDS + 300 + 1) * 1000));
  });

  it('does not record the nonce of a forged request, so the genuine one still passes', async () => {
    const replayStore = new InMemoryReplayStore();
    const forged = await verifyIndxRequest(signed({ 'X-API-SIGNATURE': '0'.repeat(64) }), options({ replayStore }));
    expect(reasonOf(forged)).toBe(VerificationFailureReason.BadSignature);
    expect(replayStore.size).toBe(0);
    expect(reasonOf(await verifyIndxRequest(signed(), options({ replayStore })))).toBe('ok');
  });

  it.each([
    [{ 'X-API-TIMESTAMP': '1748779200.5' }],
    [{ 'X-API-TIMESTAMP': '-1748779200' }],
    [{ 'X-API-TIMESTAMP': '17487792000000000' }],
    [{ 'X-API-NONCE': 'short' }],
    [{ 'X-API-NONCE': 'a'.repeat(129) }],
    [{ 'X-API-NONCE': 'nonce with spaces in it!' }],
  ])('reports a malformed timestamp or nonce %p', async (override) => {
    expect(reasonOf(await verifyIndxRequest(signed(override), options()))).toBe(VerificationFailureReason.MalformedHeader);
  });

  it('never puts the secret or the signature in a failure detail', async () => {
    const request = signed();
    const signature = (request.headers as unknown as IndxSignedHeaders)['X-API-SIGNATURE'];
    const failures = [
      await verifyIndxRequest({ ...request, body: 'tampered' }, options()),
      await verifyIndxRequest(signed({ 'X-API-KEY': 'unknown' }), options()),
      await verifyIndxRequest(signed({}, new Date(0)), options()),
    ];
    for (const failure of failures) {
      expect(failure.ok).toBe(false);
      expect(JSON.stringify(failure)).not.toContain(API_SECRET);
      expect(JSON.stringify(failure)).not.toContain(signature);
    }
  });
});

function signIndxRequestWithSecret(headers: IndxSignedHeaders, secret: string): string {
  return signIndxRequest(
    { method: 'POST', pathWithQuery: '/v1/transfers?dry_run=false', body: BODY },
    { apiKey: API_KEY, apiSecret: secret },
    { now: NOW, nonce: headers['X-API-NONCE'] },
  )['X-API-SIGNATURE'];
}
