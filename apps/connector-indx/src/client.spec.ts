import { InMemoryReplayStore, verifyIndxRequest } from '@finmesh/signing';
import { describeIndxError, indxSigner } from './client';

describe('the INDX client', () => {
  it('signs exactly what goes on the wire, base path and body included, as the verifier expects', async () => {
    const sign = indxSigner({ apiKey: 'key-1', apiSecret: 'secret-value-1' });
    const body = Buffer.from('{"accountId":"acc_1","amount":"1.00"}');
    const headers = sign({ method: 'POST', pathWithQuery: '/indx/v1/wire-transfers', body });
    const verified = await verifyIndxRequest(
      { method: 'POST', pathWithQuery: '/indx/v1/wire-transfers', body, headers },
      { secretForKey: (key) => (key === 'key-1' ? 'secret-value-1' : undefined), replayStore: new InMemoryReplayStore() },
    );
    expect(verified.ok).toBe(true);
    const tampered = await verifyIndxRequest(
      { method: 'POST', pathWithQuery: '/indx/v1/wire-transfers', body: Buffer.from('{"accountId":"acc_1","amount":"9.00"}'), headers },
      { secretForKey: () => 'secret-value-1', replayStore: new InMemoryReplayStore() },
    );
    expect(tampered.ok).toBe(false);
    // Every attempt gets its own nonce.
    expect(sign({ method: 'GET', pathWithQuery: '/indx/v1/accounts', body: undefined })['X-API-NONCE']).not.toBe(headers['X-API-NONCE']);
  });

  it('reads INDX error bodies, refining the kind only where the status would mislead', () => {
    const response = (status: number, json: unknown, retryAfterMs?: number) => ({ status, headers: {}, json: json as never, retryAfterMs });
    expect(describeIndxError(response(422, { error: { code: 'insufficient_funds', message: 'Available balance …' } }))).toEqual({
      code: 'insufficient_funds',
      message: 'Available balance …',
    });
    expect(describeIndxError(response(400, { error: { code: 'rate_limited', message: 'slow down' } })).kind).toBe('rate_limited');
    expect(describeIndxError(response(503, { error: { code: 'service_unavailable' } }, 2_000)).kind).toBe('retry_later');
    expect(describeIndxError(response(503, { error: { code: 'service_unavailable' } })).kind).toBeUndefined();
    expect(describeIndxError(response(502, '<html>'))).toEqual({});
  });
});
