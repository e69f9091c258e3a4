import { ContractError } from '@finmesh/schemas';
import type { IndxTransaction } from './client';
import { balanceUpdated, IndxAssets, paymentObservation, transactionPosted } from './normalize';

const context = { observedAt: new Date('2026-05-01T10:00:05Z'), correlationId: 'sync-indx-test' };
const assets = new IndxAssets();

function transaction(overrides: Partial<IndxTransaction>): IndxTransaction {
  return {
    id: 'txn_1',
    accountId: 'acc_1',
    type: 'deposit',
    status: 'completed',
    amount: '1250.75',
    currency: 'USD',
    description: 'Deposit',
    reference: 'REF1',
    counterparty: 'Acme Corp',
    wireTransferId: null,
    transferId: null,
    createdAt: '2026-05-01T09:00:00.000Z',
    completedAt: '2026-05-01T09:00:01.000Z',
    ...overrides,
  };
}

describe('INDX normalization', () => {
  it('turns a balance into balance.updated with exact minor units and the held part', () => {
    const event = balanceUpdated(
      { accountId: 'acc_1', currency: 'USDC', currentBalance: '1000.000001', availableBalance: '900.5', pendingBalance: '-99.500001', asOf: '2026-05-01T10:00:00.000Z' },
      assets,
      context,
    );
    expect(event.data).toEqual({
      asset: 'USDC/6',
      booked: { amount: '1000000001', asset: 'USDC/6' },
      available: { amount: '900500000', asset: 'USDC/6' },
      onHold: { amount: '99500001', asset: 'USDC/6' },
      asOf: '2026-05-01T10:00:00.000Z',
    });
    expect(event).toMatchObject({ provider: 'indx', source: 'poll', account: { key: 'indx:acc_1' }, correlationId: 'sync-indx-test' });
  });

  it('books completed entries with direction, counterparty and description, and ignores pending and failed ones', () => {
    const credit = transactionPosted(transaction({}), assets, context);
    expect(credit?.data).toEqual({
      providerTransactionId: 'txn_1',
      direction: 'credit',
      amount: { amount: '125075', asset: 'USD/2' },
      kind: 'deposit',
      status: 'booked',
      bookedAt: '2026-05-01T09:00:01.000Z',
      counterparty: { name: 'Acme Corp' },
      description: 'Deposit',
    });
    expect(credit?.payment).toBeUndefined();
    expect(transactionPosted(transaction({ status: 'pending', completedAt: null }), assets, context)).toBeUndefined();
    expect(transactionPosted(transaction({ status: 'failed', completedAt: null }), assets, context)).toBeUndefined();
    // The same fact always has the same id.
    expect(transactionPosted(transaction({}), assets, { ...context, observedAt: new Date() })?.id).toBe(credit?.id);
  });

  it('links the debit of a wire or transfer to its payment, books fees as fees, and leaves credits unlinked', () => {
    const wireDebit = transactionPosted(transaction({ type: 'wire_out', amount: '-100.00', wireTransferId: 'wire_9', counterparty: 'First Bank' }), assets, context);
    expect(wireDebit).toMatchObject({ payment: { key: 'indx:wire_9' }, data: { direction: 'debit', kind: 'withdrawal', amount: { amount: '10000' } } });
    const wireFee = transactionPosted(transaction({ id: 'txn_2', type: 'fee', amount: '-15.00', wireTransferId: 'wire_9', counterparty: null, description: 'Outgoing wire fee' }), assets, context);
    expect(wireFee?.payment).toBeUndefined();
    expect(wireFee?.data).toMatchObject({ kind: 'fee', direction: 'debit', amount: { amount: '1500' }, fee: { amount: '1500', asset: 'USD/2' } });
    expect(wireFee?.data.counterparty).toBeUndefined();
    const transferOut = transactionPosted(transaction({ type: 'transfer_out', amount: '-5.00', transferId: 'trf_1' }), assets, context);
    expect(transferOut?.payment?.key).toBe('indx:trf_1');
    const transferIn = transactionPosted(transaction({ type: 'transfer_in', amount: '5.00', transferId: 'trf_1' }), assets, context);
    expect(transferIn?.payment).toBeUndefined();
    expect(transactionPosted(transaction({ type: 'interest', amount: '0.42' }), assets, context)?.data.kind).toBe('other');
  });

  it('never rounds or guesses: too many decimals, an unknown currency or type are errors', () => {
    expect(() => transactionPosted(transaction({ amount: '1.001' }), assets, context)).toThrow(ContractError);
    expect(() => transactionPosted(transaction({ currency: 'XAU' }), assets, context)).toThrow(/XAU.*INDX_ASSETS/);
    expect(() => transactionPosted(transaction({ type: 'chargeback' }), assets, context)).toThrow(/unknown type/);
    expect(transactionPosted(transaction({ currency: 'XAU', amount: '1.5' }), new IndxAssets({ XAU: 4 }), context)?.data.amount).toEqual({ amount: '15000', asset: 'XAU/4' });
    expect(() => new IndxAssets().assetOf('toString')).toThrow(/no known precision/);
  });

  it('reads a wire status with its version and failure reason', () => {
    expect(
      paymentObservation({
        id: 'wire_1',
        accountId: 'acc_1',
        externalAccountId: 'ext_3',
        amount: '10.00',
        fee: '15.00',
        currency: 'USD',
        status: 'failed',
        failureReason: 'Returned by the beneficiary bank: account closed.',
        createdAt: '2026-05-01T09:00:00.000Z',
        updatedAt: '2026-05-01T09:05:00.000Z',
      }),
    ).toEqual({
      rawStatus: { scheme: 'indx.transfer', code: 'failed' },
      providerStatusVersion: '2026-05-01T09:05:00.000Z',
      occurredAt: '2026-05-01T09:05:00.000Z',
      reason: 'Returned by the beneficiary bank: account closed.',
    });
  });
});
