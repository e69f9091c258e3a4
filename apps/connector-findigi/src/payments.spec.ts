import { batchRequestSchema } from './batches';
import { FindigiAssets } from './normalize';
import { findigiPaymentRequestSchema } from './payments';

const assets = new FindigiAssets();
const schema = findigiPaymentRequestSchema(assets);
const issuesOf = (body: unknown): string[] => {
  const parsed = schema.safeParse(body);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
};

describe('FinDIGI payment requests', () => {
  const beneficiary = { bankCode: 'BCA', accountNumber: '1234567890', accountName: 'Siti' };

  it('accepts each payment type', () => {
    expect(issuesOf({ type: 'wallet_transfer', sourceWalletId: 'w1', destinationWalletId: 'w2', amount: '10', currency: 'IDR' })).toEqual([]);
    expect(issuesOf({ type: 'bank_transfer', sourceWalletId: 'w1', amount: '10.50', currency: 'SGD', beneficiary, maxFee: '1.00' })).toEqual([]);
    expect(issuesOf({ type: 'payout', sourceWalletId: 'w1', amount: '10', currency: 'IDR', beneficiary })).toEqual([]);
    expect(issuesOf({ type: 'payout', sourceWalletId: 'w1', amount: '10', currency: 'IDR', beneficiaryId: 'bank-1' })).toEqual([]);
    expect(issuesOf({ type: 'batch_transfer_item', batchId: 'b1', itemId: 'i1' })).toEqual([]);
  });

  it('refuses amounts finer than the currency, zero, or in an unknown currency, before FinDIGI is asked', () => {
    expect(issuesOf({ type: 'wallet_transfer', sourceWalletId: 'w1', destinationWalletId: 'w2', amount: '10.5', currency: 'IDR' })).toEqual(['amount']);
    expect(issuesOf({ type: 'payout', sourceWalletId: 'w1', amount: '0.00', currency: 'USD', beneficiary })).toEqual(['amount']);
    expect(issuesOf({ type: 'payout', sourceWalletId: 'w1', amount: '1', currency: 'MYR', beneficiary })).toEqual(['amount']);
    expect(issuesOf({ type: 'bank_transfer', sourceWalletId: 'w1', amount: '10', currency: 'IDR', beneficiary, maxFee: '0.5' })).toEqual(['maxFee']);
  });

  it('asks a payout for a saved beneficiary or an explicit one, not both and not neither', () => {
    expect(issuesOf({ type: 'payout', sourceWalletId: 'w1', amount: '10', currency: 'IDR' })).toEqual(['beneficiaryId']);
    expect(issuesOf({ type: 'payout', sourceWalletId: 'w1', amount: '10', currency: 'IDR', beneficiary, beneficiaryId: 'bank-1' })).toEqual(['beneficiaryId']);
  });

  it('refuses unknown fields and types', () => {
    expect(issuesOf({ type: 'payout', sourceWalletId: 'w1', amount: '10', currency: 'IDR', beneficiary, extra: true })).not.toEqual([]);
    expect(issuesOf({ type: 'card_to_bank', sourceWalletId: 'w1' })).not.toEqual([]);
  });
});

describe('FinDIGI batch transfer requests', () => {
  const batch = batchRequestSchema(assets);
  const items = [{ beneficiaryId: 'bank-1', amount: '100' }];

  it('defaults to immediate and wants scheduledAt exactly for scheduled batches', () => {
    expect(batch.parse({ sourceWalletId: 'w1', currency: 'IDR', items })).toMatchObject({ executionMode: 'immediate' });
    expect(batch.safeParse({ sourceWalletId: 'w1', currency: 'IDR', items, executionMode: 'scheduled' }).success).toBe(false);
    expect(batch.safeParse({ sourceWalletId: 'w1', currency: 'IDR', items, executionMode: 'scheduled', scheduledAt: '2026-01-01T00:00:00Z' }).success).toBe(true);
    expect(batch.safeParse({ sourceWalletId: 'w1', currency: 'IDR', items, scheduledAt: '2026-01-01T00:00:00Z' }).success).toBe(false);
  });

  it('checks every item amount in the currency precision', () => {
    const parsed = batch.safeParse({ sourceWalletId: 'w1', currency: 'IDR', items: [...items, { beneficiaryId: 'bank-2', amount: '1.5' }, { beneficiaryId: 'bank-3', amount: '0' }] });
    expect(parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'))).toEqual(['items.1.amount', 'items.2.amount']);
    expect(batch.safeParse({ sourceWalletId: 'w1', currency: 'IDR', items: [] }).success).toBe(false);
  });
});
