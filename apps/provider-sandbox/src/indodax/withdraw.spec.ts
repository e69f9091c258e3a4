import type { RunningSandbox } from '../sandbox';
import { CallbackReceiver } from '../testing/callback-receiver';
import { DOCUMENTED_KEY, tapiOverHttp } from '../testing/indodax-requests';
import { startTestSandbox } from '../testing/running-sandbox';
import { ADMIN_HEADERS } from '../testing/sandbox-fixture';

const EXTERNAL_ADDRESS = '0x1111111111111111111111111111111111111111';

describe('Indodax withdrawCoin with the callback to the client (real listener and callback server)', () => {
  let sandbox: RunningSandbox;
  let receiver: CallbackReceiver;
  let base: string;

  beforeEach(async () => {
    receiver = await CallbackReceiver.start();
    sandbox = await startTestSandbox({
      indodax: { keys: [{ ...DOCUMENTED_KEY, permissions: ['view', 'trade', 'withdraw'], callbackUrl: receiver.url }], callbackTimeoutMs: 300 },
    });
    base = sandbox.baseUrls.indodax;
  });

  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  const withdrawEth = (amount = '0.5', extra: Array<[string, string]> = []) =>
    tapiOverHttp(base, 'withdrawCoin', [
      ['currency', 'eth'],
      ['network', 'arb'],
      ['withdraw_address', EXTERNAL_ADDRESS],
      ['withdraw_amount', amount],
      ['request_id', 'req42'],
      ...extra,
    ]);

  const ethTruth = () => sandbox.groundTruth('indodax', { accountId: 'eth' })[0];

  it('completes the withdrawal when the callback answers exactly "ok", and sends the documented parameters', async () => {
    const before = BigInt(ethTruth()?.available.amount ?? '0');
    const response = await withdrawEth('0.5', [['withdraw_memo', 'memo-1']]);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: 1,
      status: 'approved',
      withdraw_currency: 'eth',
      withdraw_address: EXTERNAL_ADDRESS,
      withdraw_amount: '0.50000000',
      fee: '0.00050000',
      amount_after_fee: '0.49950000',
      submit_time: String(Date.parse('2025-03-03T09:00:00Z') / 1000),
      withdraw_id: expect.stringMatching(/^eth-\d+$/),
      txid: '',
    });

    expect(receiver.received).toHaveLength(1);
    const callback = receiver.received[0];
    expect(callback?.method).toBe('POST');
    expect(callback?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(callback?.body))).toEqual({
      request_id: 'req42',
      withdraw_currency: 'eth',
      withdraw_address: EXTERNAL_ADDRESS,
      withdraw_amount: '0.5',
      withdraw_memo: 'memo-1',
      requester_ip: '127.0.0.1',
      request_date: String(Date.parse('2025-03-03T09:00:00Z') / 1000),
    });

    expect(BigInt(ethTruth()?.available.amount ?? '0')).toBe(before - 50_000_000n);
    const pending = ethTruth()?.transactions?.slice(-2).map((entry) => [entry.kind, entry.amount.amount, entry.status]);
    expect(pending).toEqual([
      ['withdraw', '-49950000', 'pending'],
      ['withdraw_fee', '-50000', 'pending'],
    ]);
    await fetch(`${sandbox.url}/_admin/clock/advance`, { method: 'POST', headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' }, body: JSON.stringify({ ms: 60_000 }) });
    expect(ethTruth()?.transactions?.slice(-2).map((entry) => entry.status)).toEqual(['booked', 'booked']);
    const history = await tapiOverHttp(base, 'transHistory');
    const withdrawal = ((history.body.return as { withdraw: Record<string, Array<Record<string, string>>> }).withdraw.eth ?? [])[0];
    expect(withdrawal).toMatchObject({ status: 'success', withdraw_id: response.body.withdraw_id, eth: '0.50000000', amount: '0.49950000', fee: '0.00050000' });
  });

  it('fails without calling when the callback endpoint is down (fault), and asks twice under a duplicate fault', async () => {
    const addFault = (fault: Record<string, unknown>) =>
      fetch(`${sandbox.url}/_admin/faults`, { method: 'POST', headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'indodax', count: 1, ...fault }) });
    await addFault({ kind: 'callback_down' });
    expect((await withdrawEth()).body).toMatchObject({ success: 0, error_code: 'callback_rejected' });
    expect(receiver.received).toHaveLength(0);

    await addFault({ kind: 'callback_duplicate' });
    expect((await withdrawEth()).body).toMatchObject({ success: 1, status: 'approved' });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]?.body).toBe(receiver.received[1]?.body);
  });

  it('fails when no callback URL is set for the key', async () => {
    await fetch(`${sandbox.url}/_admin/indodax/callback-url`, { method: 'PUT', headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' }, body: JSON.stringify({ url: null }) });
    expect((await withdrawEth()).body).toEqual({ success: 0, error: 'Withdrawal rejected: no callback URL is set for this API key.', error_code: 'callback_not_set' });
  });

  it('sends to an Indodax username without fee (status wait) and answers the documented username errors', async () => {
    const byUsername = (username: string, amount = '0.1') =>
      tapiOverHttp(base, 'withdrawCoin', [
        ['currency', 'eth'],
        ['withdraw_amount', amount],
        ['request_id', 'req43'],
        ['withdraw_input_method', 'username'],
        ['withdraw_username', username],
      ]);
    const ok = await byUsername('User_13');
    expect(ok.body).toMatchObject({ success: 1, status: 'wait', withdraw_address: '', fee: '0.00000000', amount_after_fee: '0.10000000', withdraw_username: 'User_13' });
    expect(Object.fromEntries(new URLSearchParams(receiver.received[0]?.body))).toMatchObject({ withdraw_username: 'User_13', withdraw_address: '' });
    expect((await byUsername('nobody')).body).toEqual({ success: 1, error: 'Username is not found!', error_code: '' });
    expect((await byUsername('jhon_doe')).body).toEqual({ success: 0, error: 'Please use recipient address other than your Indodax account address', error_code: '' });
    expect((await byUsername('User_13', '0')).body).toEqual({ success: 1, error: "Can't make withdrawal with amount 0, input a larger withdraw_amount value", error_code: '' });
  });

  it('answers the documented address, network and limit errors, and withdrawFee', async () => {
    const info = await tapiOverHttp(base, 'getInfo');
    const ownAddress = ((info.body.return as { address: Record<string, string> }).address.eth ?? '');
    const own = await tapiOverHttp(base, 'withdrawCoin', [['currency', 'eth'], ['network', 'arb'], ['withdraw_address', ownAddress], ['withdraw_amount', '0.1'], ['request_id', 'r1']]);
    expect(own.body).toEqual({ success: 0, error: 'Please use recipient address other than your Indodax account address', error_code: '' });
    const network = await tapiOverHttp(base, 'withdrawCoin', [['currency', 'usdt'], ['network', 'sol'], ['withdraw_address', EXTERNAL_ADDRESS], ['withdraw_amount', '10'], ['request_id', 'r2']]);
    expect(network.body).toEqual({ success: 0, error: 'Invalid network, please fill with one of this erc20, trc20, bep20', error_code: '' });
    const limit = await withdrawEth('15');
    expect(limit.body).toMatchObject({ success: 1, error: expect.stringMatching(/^Exceeded today's limit\. Remain limit: 10\.00000000 ETH\./) });
    expect(receiver.received).toHaveLength(0);

    const fee = await tapiOverHttp(base, 'withdrawFee', [['currency', 'usdt'], ['network', 'trc20']]);
    expect(fee.body).toEqual({ success: 1, return: { server_time: Date.parse('2025-03-03T09:00:00Z') / 1000, withdraw_fee: 1, currency: 'usdt' } });
    const feeNetwork = await tapiOverHttp(base, 'withdrawFee', [['currency', 'usdt'], ['network', 'sol']]);
    expect(feeNetwork.body).toEqual({ success: 0, error: 'Invalid network, please fill with one of this erc20, trc20, bep20', error_code: '' });
  });
});

describe('Indodax withdrawCoin refused by the callback (one sandbox: failed withdrawals change nothing)', () => {
  let sandbox: RunningSandbox;
  let receiver: CallbackReceiver;

  beforeAll(async () => {
    receiver = await CallbackReceiver.start();
    sandbox = await startTestSandbox({
      indodax: { keys: [{ ...DOCUMENTED_KEY, permissions: ['view', 'trade', 'withdraw'], callbackUrl: receiver.url }], callbackTimeoutMs: 300 },
    });
  });

  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  const withdrawEth = () =>
    tapiOverHttp(sandbox.baseUrls.indodax, 'withdrawCoin', [
      ['currency', 'eth'],
      ['network', 'arb'],
      ['withdraw_address', EXTERNAL_ADDRESS],
      ['withdraw_amount', '0.5'],
      ['request_id', 'req42'],
    ]);
  const ethTruth = () => sandbox.groundTruth('indodax', { accountId: 'eth' })[0];

  it.each([
    ['answers "OK"', { status: 200, body: 'OK' }],
    ['answers "ok\\n"', { status: 200, body: 'ok\n' }],
    ['answers "no"', { status: 200, body: 'no' }],
    ['answers 500 "ok"', { status: 500, body: 'ok' }],
    ['does not answer within the timeout', { status: 200, body: 'ok', delayMs: 1_000 }],
  ])('fails the withdrawal when the callback %s', async (_case, answer) => {
    receiver.answer = () => answer;
    receiver.received.length = 0;
    const before = ethTruth();
    const response = await withdrawEth();
    expect(response.body).toEqual({ success: 0, error: 'Withdrawal rejected: the callback URL did not answer "ok".', error_code: 'callback_rejected' });
    expect(receiver.received).toHaveLength(1);
    expect(ethTruth()?.available).toEqual(before?.available);
    expect(ethTruth()?.transactionCount).toBe(before?.transactionCount);
  });
});
