import { IngressError, IngressErrorCode } from '../http/ingress-error';
import type { ExpectedWithdrawal } from '../withdrawals/expected-withdrawals';
import type { IncomingCallback } from './incoming-callback';
import { IndodaxWithdrawalSource, mismatchedFields, parseWithdrawCallback, sameDecimal, type IndodaxRejection } from './indodax-withdrawal-source';

const expected: ExpectedWithdrawal = {
  requestId: 'wd42',
  currency: 'doge',
  network: undefined,
  address: 'D9iCdBLBosJzGSvpQGMSobwtdgB2rS1zam',
  amount: '10.00000000',
  memo: undefined,
  username: undefined,
  paymentKey: 'indodax:wd42',
  eventId: '00000000-0000-8000-8000-000000000042',
  conflicting: false,
};

function incoming(fields: Record<string, string>, contentType = 'application/x-www-form-urlencoded'): IncomingCallback {
  return {
    headers: { 'content-type': contentType },
    body: Buffer.from(new URLSearchParams(fields).toString()),
    contentType,
    receivedAt: new Date('2026-01-01T00:00:00Z'),
    correlationId: 'corr',
  };
}

const matching = {
  request_id: 'wd42',
  withdraw_currency: 'doge',
  withdraw_address: 'D9iCdBLBosJzGSvpQGMSobwtdgB2rS1zam',
  withdraw_amount: '10.00000000',
  requester_ip: '203.0.113.7',
  request_date: '1578909560',
};

describe('Indodax withdraw verification', () => {
  it('compares amounts as exact decimals, never as floats', () => {
    expect(sameDecimal('10', '10.00000000')).toBe(true);
    expect(sameDecimal('010.50', '10.5')).toBe(true);
    expect(sameDecimal('0.1', '0.10000000000000000001')).toBe(false);
    expect(sameDecimal('1e1', '10')).toBe(false);
    expect(sameDecimal('-10', '10')).toBe(false);
  });

  it('names every field that differs from the request', () => {
    const callback = parseWithdrawCallback(
      incoming({ ...matching, withdraw_currency: 'DOGE', withdraw_amount: '10.1', withdraw_address: 'Dother', withdraw_memo: 'm' }),
    );
    expect(mismatchedFields(expected, callback)).toEqual(['withdraw_amount', 'withdraw_address', 'withdraw_memo']);
    expect(mismatchedFields({ ...expected, conflicting: true }, parseWithdrawCallback(incoming(matching)))).toEqual([
      'request (announced twice with different fields)',
    ]);
  });

  it('checks the username of a withdrawal to an Indodax user', () => {
    const toUser = { ...expected, address: '', username: 'User_13' };
    const callback = (username: string | undefined): ReturnType<typeof parseWithdrawCallback> =>
      parseWithdrawCallback(
        incoming({ ...matching, withdraw_address: '', ...(username === undefined ? {} : { withdraw_username: username }) }),
      );
    expect(mismatchedFields(toUser, callback('User_13'))).toEqual([]);
    expect(mismatchedFields(toUser, callback('User_14'))).toEqual(['withdraw_username']);
    expect(mismatchedFields(toUser, callback(undefined))).toEqual(['withdraw_username']);
  });

  it.each([
    ['a missing request_id', { withdraw_currency: 'doge', withdraw_amount: '1' }],
    ['a request_id that is not alphanumeric', { ...matching, request_id: 'wd-42' }],
    ['a missing amount', { request_id: 'wd42', withdraw_currency: 'doge' }],
  ])('refuses %s as malformed', (_case, fields) => {
    expect(() => parseWithdrawCallback(incoming(fields))).toThrow(/parameter/);
  });

  it('refuses a parameter sent twice', () => {
    const twice: IncomingCallback = { ...incoming(matching), body: Buffer.from('request_id=wd42&request_id=wd43&withdraw_currency=doge&withdraw_amount=1') };
    expect(() => parseWithdrawCallback(twice)).toThrow(/more than once/);
  });

  it('reads the same fields from a JSON body', () => {
    const json: IncomingCallback = { ...incoming({}, 'application/json'), body: Buffer.from(JSON.stringify(matching)) };
    expect(parseWithdrawCallback(json)).toMatchObject({ requestId: 'wd42', amount: '10.00000000' });
  });

  it('confirms a matching withdrawal, and records and refuses an unknown or different one', async () => {
    const rejections: IndodaxRejection[] = [];
    const waits: string[] = [];
    const source = new IndodaxWithdrawalSource(
      { waitFor: (requestId) => Promise.resolve(requestId === 'wd42' ? expected : undefined) },
      {
        waitMs: 3_000,
        onRejected: (rejection) => {
          rejections.push(rejection);
          return Promise.resolve();
        },
        onWaited: (outcome) => waits.push(outcome),
      },
    );
    const deadline = Date.now() + 4_500;
    await expect(source.verify(incoming(matching), deadline)).resolves.toMatchObject({
      source: 'indodax-withdraw',
      provider: 'indodax',
      idempotencyKey: 'wd42',
      verification: { scheme: 'indodax-withdraw-request' },
    });
    const unknown = source.verify(incoming({ ...matching, request_id: 'wd43' }), deadline);
    await expect(unknown).rejects.toBeInstanceOf(IngressError);
    await expect(unknown).rejects.toMatchObject({ code: IngressErrorCode.WithdrawalNotRequested });
    await expect(source.verify(incoming({ ...matching, withdraw_amount: '11' }), deadline)).rejects.toMatchObject({
      code: IngressErrorCode.WithdrawalMismatch,
      message: 'the withdrawal is not confirmed',
    });
    expect(rejections.map((r) => [r.reason, r.requestId])).toEqual([
      [IngressErrorCode.WithdrawalNotRequested, 'wd43'],
      [IngressErrorCode.WithdrawalMismatch, 'wd42'],
    ]);
    expect(waits).toEqual(['found', 'not_found', 'found']);
  });
});
