import type { Sandbox } from '../sandbox';
import { tapi } from '../testing/indodax-requests';
import { ADMIN_HEADERS, createTestSandbox, json } from '../testing/sandbox-fixture';

type Body = { success: number; return: Record<string, unknown>; error?: string; error_code?: string };

let sandbox: Sandbox;
let wallTime: number;

async function openSandbox(): Promise<void> {
  wallTime = Date.parse('2025-03-03T09:00:00Z');
  sandbox = await createTestSandbox({ liveActivity: false, wallClock: () => wallTime });
  await setPrice('btc_idr', '1500000000');
}

const closeSandbox = (): Promise<void> => sandbox.close();

async function setPrice(pair: string, price: string): Promise<void> {
  const response = await sandbox.app.inject({ method: 'PUT', url: '/_admin/indodax/prices', headers: ADMIN_HEADERS, payload: { pair, price } });
  expect(response.statusCode).toBe(200);
}

const call = async (method: string, params: Array<[string, string]> = []): Promise<Body> => json<Body>(await tapi(sandbox, method, params));
const idrBalance = async (): Promise<number | undefined> => ((await call('getInfo')).return.balance as Record<string, number>).idr;

describe('Indodax trading: trade, orders, cancels, rate limits', () => {
  beforeEach(openSandbox);
  afterEach(closeSandbox);

  it('fills a market buy in IDR at once and reports it in the documented shape', async () => {
    const idrBefore = await idrBalance();
    const body = await call('trade', [['pair', 'btc_idr'], ['type', 'buy'], ['idr', '1500000'], ['order_type', 'market'], ['client_order_id', 'clientx-sj82ks82j']]);
    expect(body).toEqual({
      success: 1,
      return: {
        receive_btc: '0.00099700',
        spend_rp: 1500000,
        fee: 0.000003,
        remain_rp: 0,
        order_id: expect.any(Number),
        client_order_id: 'clientx-sj82ks82j',
      },
    });
    expect(await idrBalance()).toBe((idrBefore ?? 0) - 1_500_000);
    const trades = await call('tradeHistory', [['pair', 'btc_idr'], ['count', '1']]);
    expect(trades.return.trades).toEqual([
      {
        trade_id: expect.any(String),
        order_id: String(body.return.order_id),
        type: 'buy',
        btc: '0.00100000',
        price: '1500000000',
        fee: '0.00000300',
        trade_time: String(Date.parse('2025-03-03T09:00:00Z') / 1000),
        client_order_id: 'clientx-sj82ks82j',
      },
    ]);
    const order = await call('getOrderByClientOrderId', [['client_order_id', 'clientx-sj82ks82j']]);
    expect(order.return.order).toMatchObject({ status: 'filled', order_rp: '1500000', remain_rp: '0', receive_btc: '0.00099700' });
  });

  it('rests a limit order below the market with its funds on hold, fills it when the price comes down', async () => {
    const placed = await call('trade', [['pair', 'btc_idr'], ['type', 'buy'], ['btc', '0.01'], ['price', '1400000000']]);
    expect(placed.return).toMatchObject({ receive_btc: '0.00000000', spend_rp: 0, fee: 0, remain_btc: '0.01000000' });
    const info = await call('getInfo');
    expect((info.return.balance_hold as Record<string, number>).idr).toBe(14_000_000);
    const open = await call('openOrders', [['pair', 'btc_idr']]);
    expect(open.return.orders).toEqual([
      { order_id: String(placed.return.order_id), submit_time: expect.any(String), price: '1400000000', type: 'buy', order_type: 'limit', order_btc: '0.01000000', remain_btc: '0.01000000' },
    ]);
    const all = await call('openOrders');
    expect(Object.keys(all.return.orders as Record<string, unknown>)).toEqual(['btc_idr']);

    await setPrice('btc_idr', '1399000000');
    const filled = await call('getOrder', [['pair', 'btc_idr'], ['order_id', String(placed.return.order_id)]]);
    expect(filled.return.order).toMatchObject({ status: 'filled', receive_btc: '0.01000000' });
    expect(((await call('getInfo')).return.balance_hold as Record<string, number>).idr).toBe(0);
    const history = await call('orderHistory', [['pair', 'btc_idr']]);
    expect((history.return.orders as Array<{ order_id: string; status: string }>)[0]).toMatchObject({ order_id: String(placed.return.order_id), status: 'filled' });
  });

  it('cancels by id and by client order id, returning the held funds and the frozen balances', async () => {
    const placed = await call('trade', [['pair', 'btc_idr'], ['type', 'sell'], ['btc', '0.001'], ['price', '1600000000'], ['client_order_id', 'sell-1']]);
    const cancelled = await call('cancelOrder', [['pair', 'btc_idr'], ['order_id', String(placed.return.order_id)], ['type', 'sell']]);
    expect(cancelled.return).toMatchObject({ order_id: placed.return.order_id, client_order_id: 'sell-1', type: 'sell', pair: 'btc_idr', balance: { frozen_btc: '0.00000000' } });
    expect(json(await tapi(sandbox, 'cancelOrder', [['pair', 'btc_idr'], ['order_id', String(placed.return.order_id)], ['type', 'sell']]))).toMatchObject({ success: 0 });

    await call('trade', [['pair', 'btc_idr'], ['type', 'sell'], ['btc', '0.001'], ['price', '1600000000'], ['client_order_id', 'sell-2']]);
    const byClient = await call('cancelByClientOrderId', [['client_order_id', 'sell-2']]);
    expect(byClient.return).toMatchObject({ client_order_id: 'sell-2', type: 'sell' });
    const detail = await call('getOrderByClientOrderId', [['client_order_id', 'sell-2']]);
    expect(detail.return.order).toMatchObject({ status: 'cancelled', receive_btc: '0.00100000' });
    const truth = sandbox.groundTruth('indodax', { accountId: 'btc' })[0];
    expect(truth?.onHold.amount).toBe('0');
  });

  it('limits trade requests to 20 per second per pair, then blocks the pair for 5 seconds (429)', async () => {
    const params: Array<[string, string]> = [['pair', 'btc_idr'], ['type', 'buy'], ['btc', '0.0001'], ['price', '1000000000']];
    for (let i = 0; i < 20; i += 1) expect((await tapi(sandbox, 'trade', params)).statusCode).toBe(200);
    const limited = await tapi(sandbox, 'trade', params);
    expect(limited.statusCode).toBe(429);
    expect(json(limited)).toEqual({
      success: 0,
      error: 'Your User ID sent too many trade request for pair BTCIDR, please try again in 5 seconds',
      message: 'Your User ID sent too many trade request for pair BTCIDR, please try again in 5 seconds',
      error_code: 'too_many_requests',
    });
    expect((await tapi(sandbox, 'trade', [['pair', 'eth_idr'], ['type', 'buy'], ['eth', '0.01'], ['price', '1000000']])).statusCode).toBe(200);
    wallTime += 4_000;
    expect((await tapi(sandbox, 'trade', params)).statusCode).toBe(429);
    wallTime += 1_001;
    expect((await tapi(sandbox, 'trade', params)).statusCode).toBe(200);
  });

  it('limits cancels to 30 per second (429)', async () => {
    for (let i = 0; i < 30; i += 1) await tapi(sandbox, 'cancelByClientOrderId', [['client_order_id', `none-${i}`]]);
    const limited = await tapi(sandbox, 'cancelByClientOrderId', [['client_order_id', 'none']]);
    expect(limited.statusCode).toBe(429);
    expect(json(limited)).toEqual({ success: 0, error: 'Your User ID sent too many cancel order requests', error_code: 'too_many_requests' });
  });
});

describe('Indodax trade refusals (one sandbox: refused orders change nothing)', () => {
  beforeAll(openSandbox);
  afterAll(closeSandbox);

  it.each([
    [[['type', 'buy'], ['idr', '100000'], ['price', '1400000000'], ['order_type', 'limit']], 'Limit buy orders with order_type=limit take the amount in btc, not idr.'],
    [[['type', 'buy'], ['btc', '0.1'], ['order_type', 'market']], 'Market buy orders only support an amount in idr.'],
    [[['type', 'buy'], ['btc', '0.000000001'], ['price', '1400000000']], 'Invalid btc: btc allows 8 decimals.'],
    [[['type', 'buy'], ['btc', '100'], ['price', '1400000000']], 'Insufficient balance.'],
    [[['type', 'hold'], ['btc', '1'], ['price', '1']], 'Invalid type: it must be buy or sell.'],
  ])('refuses %j', async (params, error) => {
    const body = await call('trade', [['pair', 'btc_idr'], ...(params as Array<[string, string]>)]);
    expect(body).toMatchObject({ success: 0, error });
  });

  it('answers a maker-only order that would take, and a reused client order id, as documented', async () => {
    const taker = await call('trade', [['pair', 'btc_idr'], ['type', 'buy'], ['btc', '0.001'], ['price', '1600000000'], ['time_in_force', 'MOC']]);
    expect(taker).toEqual({ success: 0, error: 'Order cancelled because it’s not maker.' });
    await call('trade', [['pair', 'btc_idr'], ['type', 'buy'], ['btc', '0.001'], ['price', '1000000000'], ['client_order_id', 'dup']]);
    const again = await call('trade', [['pair', 'btc_idr'], ['type', 'buy'], ['btc', '0.001'], ['price', '1000000000'], ['client_order_id', 'dup']]);
    expect(again).toEqual({ success: 0, error: 'client order id dup already exists' });
  });
});
