import { ContractError } from '@finmesh/schemas';
import { balanceUpdated, transactionPosted } from './normalize';

const context = { observedAt: new Date('2025-03-03T10:00:00Z'), correlationId: 'sync-indexo-test' };
const IBAN = 'LV62IDXO1001010002370';

describe('balanceUpdated', () => {
  it('publishes closingBooked dated at the end of its reference day', () => {
    const event = balanceUpdated(
      IBAN,
      [
        { balanceType: 'closingBooked', balanceAmount: { currency: 'EUR', amount: '1234.56' }, referenceDate: '2025-03-02' },
        { balanceType: 'interimBooked', balanceAmount: { currency: 'EUR', amount: '1300.00' }, referenceDate: '2025-03-03' },
      ],
      context,
    );
    expect(event.account.key).toBe(`indexo:${IBAN}`);
    expect(event.data).toEqual({ asset: 'EUR/2', booked: { amount: '123456', asset: 'EUR/2' }, asOf: '2025-03-02T23:59:59.999Z' });
    // The same fact read again is the same event.
    expect(balanceUpdated(IBAN, [{ balanceType: 'closingBooked', balanceAmount: { currency: 'EUR', amount: '1234.560' }, referenceDate: '2025-03-02' }], context).id).toBe(event.id);
  });

  it('refuses amounts finer than a cent instead of rounding', () => {
    expect(() => balanceUpdated(IBAN, [{ balanceType: 'closingBooked', balanceAmount: { currency: 'EUR', amount: '1.005' }, referenceDate: '2025-03-02' }], context)).toThrow(ContractError);
  });
});

describe('transactionPosted', () => {
  const debit = {
    transactionId: 'tx-1',
    endToEndId: 'pay-1',
    bookingDate: '2025-03-03',
    valueDate: '2025-03-03',
    transactionAmount: { currency: 'EUR', amount: '-12.34' },
    creditorName: 'James Bond',
    creditorAccount: { iban: 'LV26IDXO1001010000787' },
    remittanceInformationUnstructured: 'Ref number merchant',
    bankTransactionCode: 'PMNT-ICDT-ESCT',
  };

  it('books a debit at the start of its booking day with the payment it settles', () => {
    const event = transactionPosted(IBAN, debit, 'booked', new Set(['pay-1']), context);
    expect(event.payment?.key).toBe('indexo:pay-1');
    expect(event.data).toMatchObject({
      providerTransactionId: 'tx-1',
      direction: 'debit',
      amount: { amount: '1234', asset: 'EUR/2' },
      kind: 'transfer',
      status: 'booked',
      bookedAt: '2025-03-03T00:00:00Z',
      counterparty: { name: 'James Bond', iban: 'LV26IDXO1001010000787' },
      description: 'Ref number merchant',
    });
  });

  it('links no payment this connector did not initiate, and keeps pending apart from booked', () => {
    const pending = transactionPosted(IBAN, { ...debit, bookingDate: undefined }, 'pending', new Set(), context);
    expect(pending.payment).toBeUndefined();
    expect(pending.data.status).toBe('pending');
    expect(pending.data.bookedAt).toBeUndefined();
    expect(pending.id).not.toBe(transactionPosted(IBAN, debit, 'booked', new Set(), context).id);
  });

  it('refuses a booked entry without a booking date', () => {
    expect(() => transactionPosted(IBAN, { ...debit, bookingDate: undefined }, 'booked', new Set(), context)).toThrow(ContractError);
  });
});
