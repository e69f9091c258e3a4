import { IngressError, IngressErrorCode } from '../http/ingress-error';
import type { IncomingCallback } from './incoming-callback';
import { IndexoSource, maskNotificationToken } from './indexo-source';

const token = 'n0tification-token-0123456789abcdef';

function notification(body: string, headers: Record<string, string> = {}): IncomingCallback {
  return {
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(body),
    contentType: 'application/json',
    receivedAt: new Date('2026-01-01T00:00:00Z'),
    correlationId: 'corr',
  };
}

function refusal(run: () => unknown): IngressError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof IngressError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('INDEXO notifications', () => {
  const source = new IndexoSource(['older-token-abcdefghijklmnopqrstuvwxyz', token]);

  it('accepts a notification with any configured token, keyed by the hash of its body', () => {
    const body = '{"paymentId":"p-1","transactionStatus":"ACSC"}';
    const onPath = source.verify(notification(body), token);
    const inHeader = source.verify(notification(body, { 'x-indexo-notification-token': token }), undefined);
    expect(onPath).toEqual(inHeader);
    expect(onPath).toMatchObject({ provider: 'indexo', idempotencyKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(source.verify(notification('{"consentId":"c-1","consentStatus":"valid"}'), token).idempotencyKey).not.toBe(onPath.idempotencyKey);
  });

  it.each([
    ['a wrong token', () => source.verify(notification('{"paymentId":"p"}'), `${token}x`), IngressErrorCode.VerificationFailed],
    ['no token at all', () => source.verify(notification('{"paymentId":"p"}'), undefined), IngressErrorCode.MalformedRequest],
    ['a body that is not JSON', () => source.verify(notification('paymentId=p'), token), IngressErrorCode.MalformedRequest],
    ['a body naming no resource', () => source.verify(notification('{"transactionStatus":"ACSC"}'), token), IngressErrorCode.MalformedRequest],
  ])('refuses %s', (_case, run, code) => {
    expect(refusal(run).code).toBe(code);
  });

  it('masks the token in logged paths', () => {
    expect(maskNotificationToken(`/callbacks/indexo/notifications/${token}`)).toBe('/callbacks/indexo/notifications/[REDACTED]');
    expect(maskNotificationToken('/webhooks/acme')).toBe('/webhooks/acme');
  });
});
