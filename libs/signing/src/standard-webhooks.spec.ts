import {
  createStandardWebhookVerifier,
  generateStandardWebhookSecret,
  parseStandardWebhookSecret,
  signStandardWebhook,
  standardWebhookSignature,
  verifyStandardWebhook,
  type StandardWebhookVerifierOptions,
} from './standard-webhooks';
import { SigningInputError, VerificationFailureReason, type VerificationResult } from './verification';

// The specification's published test vector, as its reference libraries test it.
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TIMESTAMP = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const SPEC_NOW = () => new Date(SPEC_TIMESTAMP * 1000);

const specHeaders = {
  'webhook-id': SPEC_ID,
  'webhook-timestamp': String(SPEC_TIMESTAMP),
  'webhook-signature': SPEC_SIGNATURE,
};

function options(overrides: Partial<StandardWebhookVerifierOptions> = {}): StandardWebhookVerifierOptions {
  return { secrets: [SPEC_SECRET], now: SPEC_NOW, ...overrides };
}

function reasonOf(result: VerificationResult<unknown>): VerificationFailureReason | 'ok' {
  return result.ok ? 'ok' : result.reason;
}

describe('Standard Webhooks signing', () => {
  it('reproduces the specification test vector', () => {
    expect(standardWebhookSignature(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).toBe(SPEC_SIGNATURE);
    expect(signStandardWebhook({ id: SPEC_ID, timestamp: SPEC_NOW(), body: SPEC_BODY }, [SPEC_SECRET])).toEqual(specHeaders);
  });

  it('signs with every secret of a rotation, space-separated', () => {
    const next = generateStandardWebhookSecret();
    const headers = signStandardWebhook({ id: SPEC_ID, timestamp: SPEC_NOW(), body: SPEC_BODY }, [SPEC_SECRET, next]);
    expect(headers['webhook-signature']).toBe(`${SPEC_SIGNATURE} ${standardWebhookSignature(next, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)}`);
  });

  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateStandardWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseStandardWebhookSecret(secret)).toHaveLength(32);
    expect(generateStandardWebhookSecret()).not.toBe(secret);
  });

  it('accepts a secret with or without the whsec_ prefix and refuses one that is not base64', () => {
    expect(parseStandardWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toEqual(parseStandardWebhookSecret(SPEC_SECRET));
    for (const bad of ['', 'whsec_', 'whsec_not base64!', 'whsec_abc']) {
      expect(() => parseStandardWebhookSecret(bad)).toThrow(SigningInputError);
    }
    expect(() => parseStandardWebhookSecret('whsec_s3cret!')).not.toThrow(/s3cret/);
  });

  it('refuses a webhook id with a full stop or spaces, and an empty secret list', () => {
    expect(() => signStandardWebhook({ id: 'msg.1', timestamp: SPEC_NOW(), body: '' }, [SPEC_SECRET])).toThrow(SigningInputError);
    expect(() => signStandardWebhook({ id: 'msg 1', timestamp: SPEC_NOW(), body: '' }, [SPEC_SECRET])).toThrow(SigningInputError);
    expect(() => signStandardWebhook({ id: 'msg_1', timestamp: SPEC_NOW(), body: '' }, [])).toThrow(SigningInputError);
  });
});

describe('verifyStandardWebhook', () => {
  it('verifies the specification test vector, with or without the secret prefix', () => {
    expect(verifyStandardWebhook({ headers: specHeaders, body: SPEC_BODY }, options())).toEqual({
      ok: true,
      value: { id: SPEC_ID, timestamp: SPEC_TIMESTAMP },
    });
    const unprefixed = options({ secrets: ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] });
    expect(reasonOf(verifyStandardWebhook({ headers: specHeaders, body: Buffer.from(SPEC_BODY) }, unprefixed))).toBe('ok');
  });

  it('accepts when any v1 signature among several matches, ignoring other versions', () => {
    const headers = {
      ...specHeaders,
      'webhook-signature': [
        'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
        'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
        'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==',
        SPEC_SIGNATURE,
        'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      ].join(' '),
    };
    expect(reasonOf(verifyStandardWebhook({ headers, body: SPEC_BODY }, options()))).toBe('ok');
  });

  describe('secret rotation', () => {
    const oldSecret = SPEC_SECRET;
    const newSecret = generateStandardWebhookSecret();
    const message = { id: SPEC_ID, timestamp: SPEC_NOW(), body: SPEC_BODY };

    it('accepts a webhook signed with old and new secrets by a receiver holding either', () => {
      const headers = signStandardWebhook(message, [oldSecret, newSecret]);
      expect(reasonOf(verifyStandardWebhook({ headers, body: SPEC_BODY }, options({ secrets: [oldSecret] })))).toBe('ok');
      expect(reasonOf(verifyStandardWebhook({ headers, body: SPEC_BODY }, options({ secrets: [newSecret] })))).toBe('ok');
    });

    it('accepts a webhook signed with only the old secret by a receiver holding both', () => {
      const headers = signStandardWebhook(message, [oldSecret]);
      expect(reasonOf(verifyStandardWebhook({ headers, body: SPEC_BODY }, options({ secrets: [newSecret, oldSecret] })))).toBe('ok');
    });

    it('tells which of the receiver\'s secrets matched, every one that did, in order', () => {
      const thirdSecret = generateStandardWebhookSecret();
      const verify = createStandardWebhookVerifier(options({ secrets: [newSecret, thirdSecret, oldSecret] }));
      const both = verify({ headers: signStandardWebhook(message, [oldSecret, newSecret]), body: SPEC_BODY });
      expect(both).toEqual({ ok: true, value: { id: SPEC_ID, timestamp: SPEC_TIMESTAMP, matchingSecretIndexes: [0, 2] } });
      const oldOnly = verify({ headers: signStandardWebhook(message, [oldSecret]), body: SPEC_BODY });
      expect(oldOnly).toEqual({ ok: true, value: { id: SPEC_ID, timestamp: SPEC_TIMESTAMP, matchingSecretIndexes: [2] } });
      const retired = createStandardWebhookVerifier(options({ secrets: [thirdSecret] }));
      expect(reasonOf(retired({ headers: signStandardWebhook(message, [oldSecret]), body: SPEC_BODY }))).toBe(
        VerificationFailureReason.BadSignature,
      );
    });

    it('reports the same verdict through a reusable verifier as through verifyStandardWebhook', () => {
      const verify = createStandardWebhookVerifier(options({ secrets: [newSecret, oldSecret] }));
      for (const signers of [[oldSecret], [newSecret], [generateStandardWebhookSecret()]]) {
        const request = { headers: signStandardWebhook(message, signers), body: SPEC_BODY };
        expect(reasonOf(verify(request))).toBe(reasonOf(verifyStandardWebhook(request, options({ secrets: [newSecret, oldSecret] }))));
      }
      expect(() => createStandardWebhookVerifier(options({ secrets: ['not base64!'] }))).toThrow(SigningInputError);
    });

    it('rejects a webhook signed only with a secret the receiver has retired', () => {
      const headers = signStandardWebhook(message, [oldSecret]);
      expect(reasonOf(verifyStandardWebhook({ headers, body: SPEC_BODY }, options({ secrets: [newSecret] })))).toBe(
        VerificationFailureReason.BadSignature,
      );
    });
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('reports a missing %s', (header) => {
    const headers: Record<string, string> = { ...specHeaders };
    delete headers[header];
    const result = verifyStandardWebhook({ headers, body: SPEC_BODY }, options());
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MissingHeader });
  });

  it.each(['hello', '1614265330.5', '-1614265330', '0x60380b72', '1614265330000000'])(
    'reports a malformed timestamp %p',
    (timestamp) => {
      const headers = { ...specHeaders, 'webhook-timestamp': timestamp };
      expect(reasonOf(verifyStandardWebhook({ headers, body: SPEC_BODY }, options()))).toBe(VerificationFailureReason.MalformedHeader);
    },
  );

  it.each([
    ['a wrong signature', 'v1,dawfeoifkpqwoekfpqoekf'],
    ['a truncated signature', SPEC_SIGNATURE.slice(0, 20)],
    ['a signature missing its padding', SPEC_SIGNATURE.slice(0, -1)],
    ['an empty v1 signature', 'v1,'],
    ['the signature of another secret', standardWebhookSignature(generateStandardWebhookSecret(), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)],
  ])('reports %s as a bad signature', (_label, signature) => {
    const headers = { ...specHeaders, 'webhook-signature': signature };
    expect(reasonOf(verifyStandardWebhook({ headers, body: SPEC_BODY }, options()))).toBe(VerificationFailureReason.BadSignature);
  });

  it.each([
    ['a wrong version prefix', SPEC_SIGNATURE.replace('v1,', 'v2,')],
    ['an asymmetric signature only', SPEC_SIGNATURE.replace('v1,', 'v1a,')],
    ['no version prefix', SPEC_SIGNATURE.slice(3)],
    ['no comma', 'v1'],
  ])('reports %s as an unsupported version', (_label, signature) => {
    const headers = { ...specHeaders, 'webhook-signature': signature };
    expect(reasonOf(verifyStandardWebhook({ headers, body: SPEC_BODY }, options()))).toBe(
      VerificationFailureReason.UnsupportedSignatureVersion,
    );
  });

  it.each([
    ['body', { body: '{"test": 2432232315}' }],
    ['id', { headers: { ...specHeaders, 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJeK' } }],
    ['timestamp', { headers: { ...specHeaders, 'webhook-timestamp': String(SPEC_TIMESTAMP + 1) } }],
  ])('reports a bad signature when the %s changed', (_label, change) => {
    const request = { headers: specHeaders, body: SPEC_BODY, ...change };
    expect(reasonOf(verifyStandardWebhook(request, options()))).toBe(VerificationFailureReason.BadSignature);
  });

  it('rejects stale and future timestamps beyond the tolerance (default 5 minutes) in both directions', () => {
    const at = (offsetSeconds: number) => options({ now: () => new Date((SPEC_TIMESTAMP + offsetSeconds) * 1000) });
    const request = { headers: specHeaders, body: SPEC_BODY };
    expect(reasonOf(verifyStandardWebhook(request, at(300)))).toBe('ok');
    expect(reasonOf(verifyStandardWebhook(request, at(301)))).toBe(VerificationFailureReason.StaleTimestamp);
    expect(reasonOf(verifyStandardWebhook(request, at(-300)))).toBe('ok');
    expect(reasonOf(verifyStandardWebhook(request, at(-301)))).toBe(VerificationFailureReason.FutureTimestamp);
    expect(reasonOf(verifyStandardWebhook(request, { ...at(31), toleranceSeconds: 30 }))).toBe(VerificationFailureReason.StaleTimestamp);
    expect(reasonOf(verifyStandardWebhook(request, { ...at(-31), toleranceSeconds: 30 }))).toBe(
      VerificationFailureReason.FutureTimestamp,
    );
  });

  it('throws for a misconfigured secret list rather than rejecting the request, without echoing the secret', () => {
    const request = { headers: specHeaders, body: SPEC_BODY };
    expect(() => verifyStandardWebhook(request, options({ secrets: [] }))).toThrow(SigningInputError);
    expect(() => verifyStandardWebhook(request, options({ secrets: ['whsec_plain-text-secret'] }))).toThrow(SigningInputError);
    expect(() => verifyStandardWebhook(request, options({ secrets: ['whsec_plain-text-secret'] }))).not.toThrow(/plain-text/);
  });

  it('never puts a secret or signature in a failure detail', () => {
    const result = verifyStandardWebhook({ headers: specHeaders, body: 'tampered' }, options());
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(JSON.stringify(result)).not.toContain(SPEC_SIGNATURE.slice(3));
  });
});
