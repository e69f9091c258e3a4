import { InMemoryIndodaxNonceSource, InMemoryIndodaxNonceTracker, MAX_INDODAX_NONCE } from './indodax-nonces';
import {
  encodeIndodaxBody,
  indodaxSignature,
  signIndodaxRequest,
  verifyIndodaxRequest,
  type IndodaxIncomingRequest,
  type IndodaxVerifierOptions,
} from './indodax';
import { SigningInputError, VerificationFailureReason, type VerificationResult } from './verification';

// The documented example (indodax-private-api.txt), a real test vector.
const DOC_API_KEY = 'AEDHIGAT-QATEGWOX-OPCSCPQX-2E00B1L7-VJBXXKMA';
const DOC_SECRET = 'f60617a68fcce028f0a90bc9eb765d17379eb548cc935c01a7ee3186eecf870e9b68f27a31bcfe8d';
const DOC_BODY = 'method=getInfo&timestamp=1578304294000&recvWindow=1578303937000';
const DOC_SIGN =
  'bab004e5a518740d7a33b38b44dbebecd3fb39f40b42391af39fcce06edabff5233b3e8064a07c528d1c751a6923d5116026c7786e01b22e2d35277a098cae99';

const SERVER_TIME = new Date('2025-06-01T12:00:00Z');

function options(overrides: Partial<IndodaxVerifierOptions> = {}): IndodaxVerifierOptions {
  return {
    secretForKey: (apiKey) => (apiKey === DOC_API_KEY ? DOC_SECRET : undefined),
    nonceTracker: new InMemoryIndodaxNonceTracker(),
    now: () => SERVER_TIME,
    ...overrides,
  };
}

function signedWithNonce(nonce: bigint, params: Array<[string, string]> = []): IndodaxIncomingRequest {
  const { headers, body } = signIndodaxRequest({
    apiKey: DOC_API_KEY,
    secretKey: DOC_SECRET,
    method: 'transHistory',
    params,
    freshness: { nonce },
  });
  return { headers, body };
}

function signedWithBody(body: string): IndodaxIncomingRequest {
  return { headers: { Key: DOC_API_KEY, Sign: indodaxSignature(DOC_SECRET, body) }, body };
}

function reasonOf(result: VerificationResult<unknown>): VerificationFailureReason | 'ok' {
  return result.ok ? 'ok' : result.reason;
}

describe('Indodax signing', () => {
  it('reproduces the documented example signature', () => {
    expect(indodaxSignature(DOC_SECRET, DOC_BODY)).toBe(DOC_SIGN);
    expect(indodaxSignature(DOC_SECRET, Buffer.from(DOC_BODY))).toBe(DOC_SIGN);
  });

  it('builds the documented example request: body in order, Key and Sign headers', () => {
    expect(
      signIndodaxRequest({
        apiKey: DOC_API_KEY,
        secretKey: DOC_SECRET,
        method: 'getInfo',
        freshness: { timestamp: 1578304294000, recvWindowMs: 1578303937000 },
      }),
    ).toEqual({
      headers: { Key: DOC_API_KEY, Sign: DOC_SIGN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: DOC_BODY,
    });
  });

  it('puts method first, then the parameters in the given order, then the nonce', () => {
    const { body } = signIndodaxRequest({
      apiKey: DOC_API_KEY,
      secretKey: DOC_SECRET,
      method: 'withdrawCoin',
      params: [
        ['currency', 'btc'],
        ['withdraw_amount', '0.0001'],
        ['request_id', 'req 1&2'],
      ],
      freshness: { nonce: 1735516800123n },
    });
    expect(body).toBe('method=withdrawCoin&currency=btc&withdraw_amount=0.0001&request_id=req+1%262&nonce=1735516800123');
  });

  it('sends timestamp without recvWindow when none is given (the server then uses 5000 ms)', () => {
    const { body } = signIndodaxRequest({
      apiKey: DOC_API_KEY,
      secretKey: DOC_SECRET,
      method: 'getInfo',
      freshness: { timestamp: 1578304294000 },
    });
    expect(body).toBe('method=getInfo&timestamp=1578304294000');
  });

  it('encodes parameters in their given order, form-urlencoded', () => {
    expect(encodeIndodaxBody([['z', 1], ['a', 2n], ['m', 'x y/z']])).toBe('z=1&a=2&m=x+y%2Fz');
    expect(encodeIndodaxBody({ pair: 'btc_idr', type: 'buy', price: '100000000' })).toBe('pair=btc_idr&type=buy&price=100000000');
  });

  it.each([
    [{ params: [['nonce', '1']] as Array<[string, string]> }],
    [{ params: { method: 'trade' } }],
    [{ params: [['', 'x']] as Array<[string, string]> }],
    [{ method: '' }],
    [{ secretKey: '' }],
    [{ apiKey: 'has space' }],
    [{ freshness: { nonce: -1n } }],
    [{ freshness: { nonce: MAX_INDODAX_NONCE + 1n } }],
    [{ freshness: { timestamp: 1.5 } }],
    [{ freshness: { timestamp: 1578304294000, recvWindowMs: -1 } }],
  ])('refuses unusable input %#, without echoing the secret', (override) => {
    const call = { apiKey: DOC_API_KEY, secretKey: DOC_SECRET, method: 'getInfo', freshness: { nonce: 1n }, ...override };
    expect(() => signIndodaxRequest(call)).toThrow(SigningInputError);
    expect(() => signIndodaxRequest(call)).not.toThrow(DOC_SECRET);
  });
});

describe('verifyIndodaxRequest', () => {
  it('accepts the documented example within its recvWindow, with Sign in any case', async () => {
    const documentedServerTime = () => new Date(1578304294000 + 500);
    const request = { headers: { key: DOC_API_KEY, sign: DOC_SIGN.toUpperCase() }, body: DOC_BODY };
    expect(await verifyIndodaxRequest(request, options({ now: documentedServerTime }))).toEqual({
      ok: true,
      value: {
        apiKey: DOC_API_KEY,
        method: 'getInfo',
        params: [
          ['method', 'getInfo'],
          ['timestamp', '1578304294000'],
          ['recvWindow', '1578303937000'],
        ],
        timestamp: 1578304294000,
      },
    });
  });

  it('applies the documented timestamp rule: timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow', async () => {
    const t = SERVER_TIME.getTime();
    const verifyAt = (timestamp: number, recvWindow?: number) =>
      verifyIndodaxRequest(
        signedWithBody(`method=getInfo&timestamp=${timestamp}${recvWindow === undefined ? '' : `&recvWindow=${recvWindow}`}`),
        options(),
      );
    expect(reasonOf(await verifyAt(t - 5000))).toBe('ok');
    expect(reasonOf(await verifyAt(t - 5001))).toBe(VerificationFailureReason.StaleTimestamp);
    expect(reasonOf(await verifyAt(t + 999))).toBe('ok');
    expect(reasonOf(await verifyAt(t + 1000))).toBe(VerificationFailureReason.FutureTimestamp);
    expect(reasonOf(await verifyAt(t - 20_000, 20_000))).toBe('ok');
    expect(reasonOf(await verifyAt(t - 20_001, 20_000))).toBe(VerificationFailureReason.StaleTimestamp);
    expect(reasonOf(await verifyAt(t - 1, 0))).toBe(VerificationFailureReason.StaleTimestamp);
  });

  it('accepts increasing nonces and rejects a repeated or lower one', async () => {
    const verifier = options();
    expect(reasonOf(await verifyIndodaxRequest(signedWithNonce(1000n), verifier))).toBe('ok');
    expect(reasonOf(await verifyIndodaxRequest(signedWithNonce(1000n), verifier))).toBe(VerificationFailureReason.NonceNotIncreasing);
    expect(reasonOf(await verifyIndodaxRequest(signedWithNonce(999n), verifier))).toBe(VerificationFailureReason.NonceNotIncreasing);
    expect(reasonOf(await verifyIndodaxRequest(signedWithNonce(1001n), verifier))).toBe('ok');
    expect(reasonOf(await verifyIndodaxRequest(signedWithNonce(5000n), verifier))).toBe('ok');
  });

  it('returns the nonce and the parameters in their order', async () => {
    const result = await verifyIndodaxRequest(signedWithNonce(7n, [['start', '2024-07-01'], ['end', '2024-07-07']]), options());
    expect(result).toEqual({
      ok: true,
      value: {
        apiKey: DOC_API_KEY,
        method: 'transHistory',
        nonce: 7n,
        params: [
          ['method', 'transHistory'],
          ['start', '2024-07-01'],
          ['end', '2024-07-07'],
          ['nonce', '7'],
        ],
      },
    });
  });

  it('does not advance the nonce for a request with a bad signature', async () => {
    const verifier = options();
    const forged = { ...signedWithNonce(50n), headers: { Key: DOC_API_KEY, Sign: '0'.repeat(128) } };
    expect(reasonOf(await verifyIndodaxRequest(forged, verifier))).toBe(VerificationFailureReason.BadSignature);
    expect(reasonOf(await verifyIndodaxRequest(signedWithNonce(50n), verifier))).toBe('ok');
  });

  it('requires both checks to pass when a body carries nonce and timestamp', async () => {
    const t = SERVER_TIME.getTime();
    const verifier = options();
    expect(reasonOf(await verifyIndodaxRequest(signedWithBody(`method=getInfo&nonce=10&timestamp=${t}`), verifier))).toBe('ok');
    expect(reasonOf(await verifyIndodaxRequest(signedWithBody(`method=getInfo&nonce=10&timestamp=${t}`), verifier))).toBe(
      VerificationFailureReason.NonceNotIncreasing,
    );
    expect(reasonOf(await verifyIndodaxRequest(signedWithBody(`method=getInfo&nonce=11&timestamp=${t - 6000}`), verifier))).toBe(
      VerificationFailureReason.StaleTimestamp,
    );
  });

  it.each([
    ['Key', VerificationFailureReason.MissingHeader],
    ['Sign', VerificationFailureReason.MissingHeader],
  ])('reports a missing %s header', async (header, reason) => {
    const request = signedWithNonce(1n);
    const headers = { ...(request.headers as Record<string, string>) };
    delete headers[header];
    expect(reasonOf(await verifyIndodaxRequest({ ...request, headers }, options()))).toBe(reason);
  });

  it('reports an unknown key', async () => {
    const request = signedWithNonce(1n);
    expect(reasonOf(await verifyIndodaxRequest({ ...request, headers: { ...request.headers, Key: 'other' } }, options()))).toBe(
      VerificationFailureReason.UnknownKey,
    );
  });

  it.each([
    ['truncated', DOC_SIGN.slice(0, 127)],
    ['empty after the prefix', DOC_SIGN.slice(0, 64)],
    ['extended', `${DOC_SIGN}0`],
    ['one digit changed', `${DOC_SIGN.slice(0, 127)}${DOC_SIGN.endsWith('9') ? '8' : '9'}`],
    ['signed with another secret', indodaxSignature('another-secret', DOC_BODY)],
    ['SHA-256 instead of SHA-512', DOC_SIGN.slice(0, 64)],
  ])('reports a bad signature: %s', async (_label, sign) => {
    const request = { headers: { Key: DOC_API_KEY, Sign: sign }, body: DOC_BODY };
    expect(reasonOf(await verifyIndodaxRequest(request, options({ now: () => new Date(1578304294000) })))).toBe(
      VerificationFailureReason.BadSignature,
    );
  });

  it('reports a bad signature when the body changed in transit', async () => {
    const request = signedWithNonce(1n);
    const tampered = { ...request, body: String(request.body).replace('transHistory', 'withdrawCoin') };
    expect(reasonOf(await verifyIndodaxRequest(tampered, options()))).toBe(VerificationFailureReason.BadSignature);
  });

  it.each([
    ['no method', 'nonce=1'],
    ['an empty method', 'method=&nonce=1'],
    ['neither nonce nor timestamp', 'method=getInfo'],
    ['two nonces', 'method=getInfo&nonce=1&nonce=2'],
    ['two methods', 'method=getInfo&method=trade&nonce=1'],
    ['a non-integer nonce', 'method=getInfo&nonce=1.5'],
    ['a negative nonce', 'method=getInfo&nonce=-1'],
    ['a nonce beyond 2^63-1', `method=getInfo&nonce=${MAX_INDODAX_NONCE + 1n}`],
    ['a non-integer timestamp', 'method=getInfo&timestamp=soon'],
    ['a non-integer recvWindow', `method=getInfo&timestamp=${SERVER_TIME.getTime()}&recvWindow=5e3`],
  ])('reports a malformed body: %s', async (_label, body) => {
    expect(reasonOf(await verifyIndodaxRequest(signedWithBody(body), options()))).toBe(VerificationFailureReason.MalformedBody);
  });

  it('never puts the secret or the signature in a failure detail', async () => {
    const failures = [
      await verifyIndodaxRequest({ headers: { Key: DOC_API_KEY, Sign: DOC_SIGN }, body: `${DOC_BODY}&x=1` }, options()),
      await verifyIndodaxRequest({ headers: { Key: 'unknown', Sign: DOC_SIGN }, body: DOC_BODY }, options()),
    ];
    const future = signedWithBody(`method=getInfo&timestamp=${SERVER_TIME.getTime() + 60_000}`);
    failures.push(await verifyIndodaxRequest(future, options()));
    for (const failure of failures) {
      expect(failure.ok).toBe(false);
      expect(JSON.stringify(failure)).not.toContain(DOC_SECRET);
      expect(JSON.stringify(failure)).not.toContain(DOC_SIGN);
      expect(JSON.stringify(failure)).not.toContain(String((future.headers as Record<string, string>)['Sign']));
    }
  });
});

describe('in-memory Indodax nonces', () => {
  it('issues the clock in milliseconds, strictly increasing even when the clock stands still or steps back', async () => {
    let clock = 1_700_000_000_000;
    const source = new InMemoryIndodaxNonceSource(() => clock);
    expect(await source.next('k')).toBe(1_700_000_000_000n);
    expect(await source.next('k')).toBe(1_700_000_000_001n);
    clock -= 60_000;
    expect(await source.next('k')).toBe(1_700_000_000_002n);
    clock += 120_000;
    expect(await source.next('k')).toBe(1_700_000_060_000n);
    expect(await source.next('other-key')).toBe(1_700_000_060_000n);
  });

  it('tracks the last accepted nonce per key', async () => {
    const tracker = new InMemoryIndodaxNonceTracker();
    expect(await tracker.advance('a', 5n)).toBe('accepted');
    expect(await tracker.advance('a', 5n)).toBe('not-increasing');
    expect(await tracker.advance('b', 5n)).toBe('accepted');
    expect(await tracker.advance('a', 4n)).toBe('not-increasing');
    expect(await tracker.advance('a', 6n)).toBe('accepted');
  });
});
