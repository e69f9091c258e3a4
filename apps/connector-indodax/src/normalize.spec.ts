import { moneyFromDecimal, validateForProduce } from '@finmesh/schemas';
import type { IndodaxInfo, IndodaxTrade, IndodaxTransfer } from './client';
import { kindOfTapiError } from './client';
import { balancesUpdated, IndodaxAssets, orderObservation, quoteAmountOf, tradePosted, transferPosted } from './normalize';

const context = { observedAt: new Date('2026-01-10T00:00:00Z'), correlationId: 'sync-test' };
const assets = new IndodaxAssets({ shib: 0 });

describe('Indodax normalization', () => {
  it('knows IDR/0, coins with 8 decimals and configured precisions, and refuses what does not fit', () => {
    expect([assets.assetOf('idr'), assets.assetOf('btc'), assets.assetOf('shib')]).toEqual(['IDR/0', 'BTC/8', 'SHIB/0']);
    expect(() => moneyFromDecimal('0.000000001', assets.assetOf('btc'))).toThrow(/precision|decimals/);
  });

  it('turns getInfo into one balance per currency: booked = available + on hold, exact', () => {
    const info: IndodaxInfo = {
      server_time: '1578638762',
      balance: { idr: '1500', btc: '0.12345678' },
      balance_hold: { idr: '500', btc: '0.00000001' },
      user_id: '00001',
    };
    const events = balancesUpdated(info, assets, context);
    expect(events.map((event) => [event.account.key, event.data.booked, event.data.available, event.data.onHold, event.data.asOf])).toEqual([
      ['indodax:idr', { amount: '2000', asset: 'IDR/0' }, { amount: '1500', asset: 'IDR/0' }, { amount: '500', asset: 'IDR/0' }, '2020-01-10T06:46:02.000Z'],
      ['indodax:btc', { amount: '12345679', asset: 'BTC/8' }, { amount: '12345678', asset: 'BTC/8' }, { amount: '1', asset: 'BTC/8' }, '2020-01-10T06:46:02.000Z'],
    ]);
    for (const event of events) expect(() => validateForProduce(event)).not.toThrow();
  });

  it('books deposits and withdrawals gross with their fee, and links a finmesh withdrawal to its payment', () => {
    const idrDeposit: IndodaxTransfer = { status: 'success', type: 'duitku', rp: '393000', fee: '5895', amount: '387105', submit_time: '1576555012', success_time: '1576555012', deposit_id: '3395438', tx: 'Duitku OVO Settlement' };
    const deposit = transferPosted('deposit', 'idr', idrDeposit, assets, context);
    expect(deposit.data).toMatchObject({ providerTransactionId: 'deposit:idr:3395438', direction: 'credit', amount: { amount: '393000' }, fee: { amount: '5895' }, status: 'booked', kind: 'deposit' });

    const coinWithdrawal: IndodaxTransfer = { status: 'pending', btc: '0.00100000', fee: '0.00020000', amount: '0.00080000', submit_time: '1578909560', success_time: '0', withdraw_id: 'btc-1941001', tx: '', address: '1Boat' };
    const pending = transferPosted('withdraw', 'btc', coinWithdrawal, assets, { ...context, paymentRequestId: 'fmabc' });
    expect(pending.data).toMatchObject({ direction: 'debit', amount: { amount: '100000' }, fee: { amount: '20000' }, status: 'pending', kind: 'withdrawal' });
    expect(pending.payment?.key).toBe('indodax:fmabc');
    expect(() => validateForProduce(pending)).not.toThrow();

    const coinDeposit: IndodaxTransfer = { status: 'success', btc: '0.00118769', amount: '0.00118769', success_time: '1539529208', deposit_id: '3602369', tx: 'c816' };
    expect(transferPosted('deposit', 'btc', coinDeposit, assets, context).data.fee).toBeUndefined();
  });

  it('rounds a fill in the exchange’s favour and books both legs with the fee', () => {
    const base = moneyFromDecimal('0.00313482', 'BTC/8');
    const price = moneyFromDecimal('107202001', 'IDR/0');
    expect(quoteAmountOf('buy', base, price)).toBe(336059n);
    expect(quoteAmountOf('sell', base, price)).toBe(336058n);

    const trade: IndodaxTrade = { trade_id: '17393994', order_id: '59636253', type: 'sell', btc: '0.00313482', price: '107202001', fee: '1008', trade_time: '1578645297', client_order_id: 'fm-abc' };
    const [spent, received] = tradePosted('btc_idr', trade, assets, context);
    expect(spent?.data).toMatchObject({ providerTransactionId: 'trade:btc_idr:17393994:btc', direction: 'debit', amount: { amount: '313482', asset: 'BTC/8' } });
    expect(spent?.payment?.key).toBe('indodax:59636253');
    expect(received?.data).toMatchObject({ direction: 'credit', amount: { amount: '336058', asset: 'IDR/0' }, fee: { amount: '1008' } });
    expect(received?.payment).toBeUndefined();
  });

  it('maps order states onto the Indodax status scheme', () => {
    const at = new Date();
    expect(orderObservation({ status: 'open', submit_time: '1578648363' }, at).rawStatus.code).toBe('approved');
    expect(orderObservation({ status: 'filled', submit_time: '1578648363', finish_time: '1578649332' }, at)).toMatchObject({ rawStatus: { code: 'success' }, providerStatusVersion: 'order-filled-1578649332' });
    expect(orderObservation({ status: 'cancelled', finish_time: '1578649332' }, at).rawStatus.code).toBe('cancelled');
  });

  it('sorts the documented error envelope into the kit taxonomy', () => {
    expect(kindOfTapiError('invalid_credentials', 'Invalid credentials. API not found or session has expired.', 200)).toBe('unauthorized');
    expect(kindOfTapiError('invalid_date', "range date can't more than 7 days", 200)).toBe('invalid_request');
    expect(kindOfTapiError('too_many_requests', 'Your User ID sent too many cancel order requests', 429)).toBe('rate_limited');
    expect(kindOfTapiError(undefined, 'No permission', 200)).toBe('unauthorized');
    expect(kindOfTapiError('invalid_nonce', 'Invalid nonce', 200)).toBe('retry_later');
    expect(kindOfTapiError('order_not_found', 'Order not found.', 200)).toBe('not_found');
    expect(kindOfTapiError('', 'Please use recipient address other than your Indodax account address', 200)).toBe('invalid_request');
  });
});
