import { ContractError } from '@finmesh/schemas';
import type { FindigiHistoryItem, FindigiVaultTransaction } from './client';
import { UnknownCurrencyError } from '@finmesh/connector-kit';
import { FindigiAssets, paymentObservation, vaultAccountId, vaultBalanceUpdated, vaultTransactionPosted, walletBalanceUpdated, walletTransactionPosted } from './normalize';

const context = { observedAt: new Date('2025-03-03T09:10:00.000Z'), correlationId: 'sync-run-1' };
const assets = new FindigiAssets();

function historyItem(overrides: Partial<FindigiHistoryItem> = {}): FindigiHistoryItem {
  return {
    id: 'hist-1',
    wallet_id: 'wallet-idr',
    type: 'transfer_out',
    direction: 'debit',
    amount: '150000',
    currency: 'IDR',
    status: 'completed',
    reference_type: 'wallet_transfer',
    reference_id: 'trf-1',
    description: 'Transfer to wallet wallet-2',
    created_at: '2025-03-03T09:00:00.000Z',
    completed_at: '2025-03-03T09:00:05.000Z',
    ...overrides,
  };
}

function vaultTransaction(overrides: Partial<FindigiVaultTransaction> = {}): FindigiVaultTransaction {
  return {
    id: 'vtx-1',
    wallet_id: 'vault-1',
    type: 'onchain_receive',
    symbol: 'USDC',
    amount: '12.345678',
    direction: 'in',
    status: 'confirmed',
    tx_hash: '0xabc',
    counterparty_address: '0x1111',
    created_at: '2025-03-03T08:00:00.000Z',
    confirmed_at: '2025-03-03T08:00:30.000Z',
    ...overrides,
  };
}

describe('FinDIGI normalization', () => {
  describe('assets', () => {
    it('knows the default precisions, takes overrides and never guesses one', () => {
      expect(assets.assetOf('IDR')).toBe('IDR/0');
      expect(assets.assetOf('USDC')).toBe('USDC/6');
      expect(new FindigiAssets({ MYR: 2, IDR: 2 }).assetOf('MYR')).toBe('MYR/2');
      expect(new FindigiAssets({ IDR: 2 }).assetOf('IDR')).toBe('IDR/2');
      expect(() => assets.assetOf('MYR')).toThrow(UnknownCurrencyError);
      expect(() => assets.assetOf('toString')).toThrow(UnknownCurrencyError);
    });
  });

  describe('balances', () => {
    it('gives a fiat wallet its booked, available and held amounts in minor units', () => {
      const event = walletBalanceUpdated('wallet-usd', { currency: 'USD', balance: '1000.50', available_balance: '900.25' }, '2025-03-03T09:09:59.000Z', assets, context);
      expect(event).toMatchObject({
        type: 'balance.updated',
        provider: 'findigi',
        account: { provider: 'findigi', id: 'wallet-usd' },
        occurredAt: '2025-03-03T09:09:59.000Z',
        data: { asset: 'USD/2', booked: { amount: '100050', asset: 'USD/2' }, available: { amount: '90025', asset: 'USD/2' }, onHold: { amount: '10025', asset: 'USD/2' } },
      });
    });

    it('gives each FinVault position its own account at the asset precision, as of the observation', () => {
      const event = vaultBalanceUpdated('vault-1', { symbol: 'USDT', balance: '0.000001', available_balance: '0.000001' }, assets, context);
      expect(event.account.id).toBe(vaultAccountId('vault-1', 'USDT'));
      expect(event.data).toMatchObject({ asset: 'USDT/6', booked: { amount: '1', asset: 'USDT/6' }, asOf: '2025-03-03T09:10:00.000Z' });
    });

    it('refuses an amount finer than the currency allows instead of rounding it', () => {
      expect(() => walletBalanceUpdated('wallet-idr', { currency: 'IDR', balance: '10.5', available_balance: '10' }, '2025-03-03T09:00:00.000Z', assets, context)).toThrow(ContractError);
    });
  });

  describe('wallet history', () => {
    it('books a completed transfer debit with its payment ref, the same id every time', () => {
      const event = walletTransactionPosted(historyItem(), assets, context);
      expect(event).toMatchObject({
        type: 'transaction.posted',
        occurredAt: '2025-03-03T09:00:05.000Z',
        account: { id: 'wallet-idr' },
        payment: { provider: 'findigi', id: 'trf-1' },
        data: { providerTransactionId: 'hist-1', direction: 'debit', amount: { amount: '150000', asset: 'IDR/0' }, kind: 'transfer', status: 'booked', bookedAt: '2025-03-03T09:00:05.000Z' },
      });
      expect(walletTransactionPosted(historyItem(), assets, { ...context, observedAt: new Date('2025-03-04T00:00:00.000Z') })?.id).toBe(event?.id);
    });

    it.each([
      ['bank_transfer', 'transfer_to_bank', 'withdrawal'],
      ['payout', 'payout', 'withdrawal'],
    ])('gives a %s debit its payment ref', (referenceType, type, kind) => {
      const event = walletTransactionPosted(historyItem({ type, reference_type: referenceType as FindigiHistoryItem['reference_type'], reference_id: 'pay-9' }), assets, context);
      expect(event).toMatchObject({ payment: { id: 'pay-9' }, data: { kind } });
    });

    it('books a fee as a fee without a payment ref, and a credit without one', () => {
      const fee = walletTransactionPosted(historyItem({ type: 'fee', amount: '2500', reference_type: 'bank_transfer' }), assets, context);
      expect(fee?.payment).toBeUndefined();
      expect(fee?.data).toMatchObject({ kind: 'fee', fee: { amount: '2500', asset: 'IDR/0' } });
      const credit = walletTransactionPosted(historyItem({ type: 'transfer_in', direction: 'credit' }), assets, context);
      expect(credit?.payment).toBeUndefined();
    });

    it('keeps an unknown type as other, books nothing pending or cancelled, and refuses impossible entries', () => {
      expect(walletTransactionPosted(historyItem({ type: 'cashback', reference_type: null, reference_id: null }), assets, context)?.data.kind).toBe('other');
      expect(walletTransactionPosted(historyItem({ status: 'pending', completed_at: null }), assets, context)).toBeUndefined();
      expect(walletTransactionPosted(historyItem({ status: 'cancelled', completed_at: null }), assets, context)).toBeUndefined();
      expect(() => walletTransactionPosted(historyItem({ completed_at: null }), assets, context)).toThrow(ContractError);
      expect(() => walletTransactionPosted(historyItem({ amount: '0' }), assets, context)).toThrow(ContractError);
    });
  });

  describe('FinVault transactions', () => {
    it('books a confirmed receive as a credit in the asset precision, with its counterparty and hash', () => {
      expect(vaultTransactionPosted(vaultTransaction(), assets, context)).toMatchObject({
        account: { id: 'vault-1:USDC' },
        data: { direction: 'credit', amount: { amount: '12345678', asset: 'USDC/6' }, kind: 'deposit', counterparty: { address: '0x1111' }, description: 'tx 0xabc' },
      });
    });

    it.each([
      ['onchain_transfer', 'out', 'withdrawal', 'debit'],
      ['swap', 'out', 'trade', 'debit'],
      ['bridge', 'in', 'transfer', 'credit'],
    ])('maps %s (%s) to %s', (type, direction, kind, normalized) => {
      expect(vaultTransactionPosted(vaultTransaction({ type, direction: direction as 'in' | 'out' }), assets, context)?.data).toMatchObject({ kind, direction: normalized });
    });

    it('books nothing pending or failed', () => {
      expect(vaultTransactionPosted(vaultTransaction({ status: 'pending', confirmed_at: null }), assets, context)).toBeUndefined();
      expect(vaultTransactionPosted(vaultTransaction({ status: 'failed' }), assets, context)).toBeUndefined();
    });
  });

  describe('payment observations', () => {
    it('versions a status by updated_at and keeps a failure reason', () => {
      expect(paymentObservation({ status: 'awaiting_approval', updated_at: '2025-03-03T09:00:00.000Z', failure_reason: null })).toEqual({
        rawStatus: { scheme: 'findigi.transfer', code: 'awaiting_approval' },
        providerStatusVersion: '2025-03-03T09:00:00.000Z',
        occurredAt: '2025-03-03T09:00:00.000Z',
      });
      expect(paymentObservation({ status: 'failed', updated_at: '2025-03-03T09:01:05.000Z', failure_reason: 'rejected by the bank' }).reason).toBe('rejected by the bank');
    });
  });
});
