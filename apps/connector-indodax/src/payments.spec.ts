import { clientOrderIdOf, orderSpend, paymentRequestSchema, requestIdOf } from './payments';
import { IndodaxAssets } from './normalize';
import { addDays, wibDay } from './sync';

const assets = new IndodaxAssets();
const schema = paymentRequestSchema(assets);

describe('Indodax payment requests', () => {
  it('derives a client_order_id and a request_id Indodax accepts, the same for the same key', () => {
    const key = `finmesh-${'a1'.repeat(20)}`;
    expect(clientOrderIdOf(key)).toMatch(/^fm-[A-Za-z0-9]{33}$/);
    expect(requestIdOf(key)).toMatch(/^fm[A-Za-z0-9]{40}$/);
    expect(requestIdOf(key)).toBe(requestIdOf(key));
  });

  it('accepts the documented order shapes and refuses the documented mistakes', () => {
    expect(schema.safeParse({ type: 'limit_order', pair: 'btc_idr', side: 'buy', price: '500000', amount: '0.001' }).success).toBe(true);
    expect(schema.safeParse({ type: 'limit_order', pair: 'btc_idr', side: 'buy', price: '500000', quoteAmount: '100000' }).success).toBe(true);
    expect(schema.safeParse({ type: 'market_order', pair: 'btc_idr', side: 'buy', quoteAmount: '200000' }).success).toBe(true);
    expect(schema.safeParse({ type: 'market_order', pair: 'btc_idr', side: 'buy', amount: '0.001' }).success).toBe(false);
    expect(schema.safeParse({ type: 'limit_order', pair: 'btc_idr', side: 'sell', price: '1', quoteAmount: '5' }).success).toBe(false);
    expect(schema.safeParse({ type: 'limit_order', pair: 'btc_idr', side: 'buy', price: '500000.5', amount: '0.001' }).success).toBe(false);
    expect(schema.safeParse({ type: 'withdrawal', currency: 'btc', address: '1Boat', amount: '0.000000001' }).success).toBe(false);
    expect(schema.safeParse({ type: 'withdrawal', currency: 'idr', address: 'x', amount: '1' }).success).toBe(false);
    expect(schema.safeParse({ type: 'withdrawal', currency: 'btc', amount: '0.1' }).success).toBe(false);
    expect(schema.safeParse({ type: 'cancel_order', clientOrderId: 'fm-abc' }).success).toBe(true);
    expect(schema.safeParse({ type: 'cancel_order', pair: 'btc_idr', orderId: '1' }).success).toBe(false);
  });

  it('holds what an order spends, in the currency it pays with', () => {
    expect(orderSpend('btc_idr', { side: 'buy', price: '1000000', amount: '0.0001' }, assets)).toEqual({ account: 'idr', amount: { amount: '100', asset: 'IDR/0' } });
    expect(orderSpend('btc_idr', { side: 'buy', quoteAmount: '250000' }, assets)).toEqual({ account: 'idr', amount: { amount: '250000', asset: 'IDR/0' } });
    expect(orderSpend('ltc_btc', { side: 'sell', price: '0.0012', amount: '2' }, assets)).toEqual({ account: 'ltc', amount: { amount: '200000000', asset: 'LTC/8' } });
  });

  it('counts days in WIB', () => {
    expect(wibDay(Date.parse('2026-01-01T16:59:59Z'))).toBe('2026-01-01');
    expect(wibDay(Date.parse('2026-01-01T17:00:00Z'))).toBe('2026-01-02');
    expect(addDays('2026-01-30', 6)).toBe('2026-02-05');
  });
});
