import fc from 'fast-check';
import { InMemoryIndodaxNonceTracker, MAX_INDODAX_NONCE } from './indodax-nonces';
import { indodaxSignature, signIndodaxRequest, verifyIndodaxRequest } from './indodax';
import { signIndxRequest, verifyIndxRequest } from './indx';
import { InMemoryReplayStore } from './replay-store';
import { signStandardWebhook, verifyStandardWebhook } from './standard-webhooks';
import { VerificationFailureReason } from './verification';

// Property tests: sign -> verify round-trips for arbitrary requests, and any single changed byte
// of a signed part fails verification.

const PRINTABLE = '!"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';

/** The string with the character at `index` (mod length) replaced by a different printable one. */
function withCharacterChanged(value: string, index: number, replacementSeed: number): string {
  const at = index % value.length;
  const original = value[at] ?? '';
  const candidates = PRINTABLE.replace(original, '');
  const replacement = candidates[replacementSeed % candidates.length] ?? '';
  return `${value.slice(0, at)}${replacement}${value.slice(at + 1)}`;
}

/** A copy of the bytes with one byte (mod length) XOR-ed with a non-zero mask. */
function withByteFlipped(bytes: Uint8Array, index: number, mask: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const at = index % copy.length;
  copy[at] = (copy[at] ?? 0) ^ mask;
  return copy;
}

const byteIndex = fc.nat();
const flipMask = fc.integer({ min: 1, max: 255 });
const charSeed = fc.nat();

describe('INDX properties', () => {
  const NOW = new Date('2025-06-01T12:00:00Z');
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');
  const pathWithQuery = fc
    .tuple(fc.array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { maxLength: 4 }), fc.stringMatching(/^[A-Za-z0-9=&%._~-]{0,30}$/))
    .map(([segments, query]) => `/${segments.join('/')}${query === '' ? '' : `?${query}`}`);
  const apiKey = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);
  const apiSecret = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 });
  const nonce = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);
  const ageSeconds = fc.integer({ min: -60, max: 300 });

  const signedRequest = fc
    .record({ method, pathWithQuery, body: fc.uint8Array({ minLength: 1, maxLength: 256 }), apiKey, apiSecret, nonce, ageSeconds })
    .map((input) => ({
      input,
      headers: signIndxRequest(
        { method: input.method, pathWithQuery: input.pathWithQuery, body: input.body },
        { apiKey: input.apiKey, apiSecret: input.apiSecret },
        { now: new Date(NOW.getTime() - input.ageSeconds * 1000), nonce: input.nonce },
      ),
    }));

  const verifierFor = (apiKeyValue: string, secret: string) => ({
    secretForKey: (key: string) => (key === apiKeyValue ? secret : undefined),
    replayStore: new InMemoryReplayStore(),
    now: () => NOW,
  });

  it('verifies every request it signs, once', async () => {
    await fc.assert(
      fc.asyncProperty(signedRequest, async ({ input, headers }) => {
        const verifier = verifierFor(input.apiKey, input.apiSecret);
        const request = { method: input.method, pathWithQuery: input.pathWithQuery, body: input.body, headers };
        const first = await verifyIndxRequest(request, verifier);
        expect(first).toEqual({ ok: true, value: { apiKey: input.apiKey, timestamp: Number(headers['X-API-TIMESTAMP']), nonce: input.nonce } });
        const replay = await verifyIndxRequest(request, verifier);
        expect(replay).toMatchObject({ ok: false, reason: VerificationFailureReason.ReplayedNonce });
      }),
    );
  });

  it('rejects the request when any byte of body, path, timestamp or nonce changed', async () => {
    const part = fc.constantFrom('body', 'path', 'timestamp', 'nonce');
    await fc.assert(
      fc.asyncProperty(signedRequest, part, byteIndex, flipMask, charSeed, async ({ input, headers }, changed, index, mask, seed) => {
        const request = { method: input.method, pathWithQuery: input.pathWithQuery, body: input.body as Uint8Array, headers: { ...headers } };
        switch (changed) {
          case 'body':
            request.body = withByteFlipped(input.body, index, mask);
            break;
          case 'path':
            request.pathWithQuery = withCharacterChanged(input.pathWithQuery, index, seed);
            break;
          case 'timestamp':
            request.headers['X-API-TIMESTAMP'] = withCharacterChanged(headers['X-API-TIMESTAMP'], index, seed);
            break;
          case 'nonce':
            request.headers['X-API-NONCE'] = withCharacterChanged(headers['X-API-NONCE'], index, seed);
            break;
        }
        const result = await verifyIndxRequest(request, verifierFor(input.apiKey, input.apiSecret));
        expect(result.ok).toBe(false);
      }),
    );
  });
});

describe('Indodax properties', () => {
  const NOW = new Date('2025-06-01T12:00:00Z');
  const apiKey = fc.stringMatching(/^[A-Z0-9-]{8,44}$/);
  const secretKey = fc.stringMatching(/^[0-9a-f]{16,80}$/);
  const method = fc.stringMatching(/^[A-Za-z]{1,20}$/);
  const params = fc.array(
    fc.tuple(
      fc.stringMatching(/^[a-z_]{1,12}$/).filter((name) => !['method', 'nonce', 'timestamp'].includes(name)),
      fc.string({ unit: 'grapheme', maxLength: 24 }),
    ),
    { maxLength: 6 },
  );
  const freshness = fc.oneof(
    fc.bigInt({ min: 0n, max: MAX_INDODAX_NONCE }).map((nonce) => ({ nonce })),
    fc
      .tuple(fc.integer({ min: -999, max: 5000 }), fc.option(fc.integer({ min: 5000, max: 60_000 }), { nil: undefined }))
      .map(([ageMs, recvWindowMs]) => ({ timestamp: NOW.getTime() - ageMs, recvWindowMs })),
  );
  const call = fc.record({ apiKey, secretKey, method, params, freshness });

  const verifierFor = (key: string, secret: string) => ({
    secretForKey: (candidate: string) => (candidate === key ? secret : undefined),
    nonceTracker: new InMemoryIndodaxNonceTracker(),
    now: () => NOW,
  });

  it('verifies every request it signs and returns its parameters in order', async () => {
    await fc.assert(
      fc.asyncProperty(call, async (input) => {
        const { headers, body } = signIndodaxRequest(input);
        expect(headers.Sign).toBe(indodaxSignature(input.secretKey, body));
        const result = await verifyIndodaxRequest({ headers, body }, verifierFor(input.apiKey, input.secretKey));
        expect(result.ok).toBe(true);
        if (result.ok) {
          expect(result.value.method).toBe(input.method);
          expect(result.value.params.slice(1, 1 + input.params.length)).toEqual(input.params);
        }
      }),
    );
  });

  it('rejects the request when any byte of the body changed', async () => {
    await fc.assert(
      fc.asyncProperty(call, byteIndex, flipMask, async (input, index, mask) => {
        const { headers, body } = signIndodaxRequest(input);
        const tampered = withByteFlipped(Buffer.from(body, 'utf8'), index, mask);
        const result = await verifyIndodaxRequest({ headers, body: tampered }, verifierFor(input.apiKey, input.secretKey));
        expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.BadSignature });
      }),
    );
  });
});

describe('Standard Webhooks properties', () => {
  const secret = fc.uint8Array({ minLength: 24, maxLength: 64 }).map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`);
  const message = fc.record({
    id: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
    timestampSeconds: fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
    skewSeconds: fc.integer({ min: -300, max: 300 }),
    body: fc.uint8Array({ minLength: 1, maxLength: 256 }),
    secrets: fc.uniqueArray(secret, { minLength: 1, maxLength: 3 }),
    receiverSecretIndex: fc.nat(),
  });

  function signed(input: { id: string; timestampSeconds: number; body: Uint8Array; secrets: string[] }) {
    return signStandardWebhook({ id: input.id, timestamp: new Date(input.timestampSeconds * 1000), body: input.body }, input.secrets);
  }

  it('verifies every webhook it signs, for a receiver holding any one of the signing secrets', () => {
    fc.assert(
      fc.property(message, (input) => {
        const receiverSecret = input.secrets[input.receiverSecretIndex % input.secrets.length] ?? '';
        const result = verifyStandardWebhook(
          { headers: signed(input), body: input.body },
          { secrets: [receiverSecret], now: () => new Date((input.timestampSeconds + input.skewSeconds) * 1000) },
        );
        expect(result).toEqual({ ok: true, value: { id: input.id, timestamp: input.timestampSeconds } });
      }),
    );
  });

  it('rejects the webhook when any byte of body, id or timestamp changed', () => {
    const part = fc.constantFrom('body', 'id', 'timestamp');
    fc.assert(
      fc.property(message, part, byteIndex, flipMask, charSeed, (input, changed, index, mask, seed) => {
        const headers = signed(input);
        let body: Uint8Array = input.body;
        switch (changed) {
          case 'body':
            body = withByteFlipped(input.body, index, mask);
            break;
          case 'id':
            headers['webhook-id'] = withCharacterChanged(headers['webhook-id'], index, seed);
            break;
          case 'timestamp':
            headers['webhook-timestamp'] = withCharacterChanged(headers['webhook-timestamp'], index, seed);
            break;
        }
        const result = verifyStandardWebhook(
          { headers, body },
          { secrets: input.secrets, now: () => new Date(input.timestampSeconds * 1000) },
        );
        expect(result.ok).toBe(false);
      }),
    );
  });
});
