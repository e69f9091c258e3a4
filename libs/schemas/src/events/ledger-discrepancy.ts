import { z } from 'zod';
import { AssetSchema, MoneySchema } from '../money';
import { EventIdSchema, WHEN_FIELDS_VALID } from '../primitives';
import { AccountRefSchema } from '../refs';
import { checkRefsBelongToProvider, CorrelationIdSchema, envelopeHead } from './envelope';

export const DISCREPANCY_STATUSES = ['open', 'cleared'] as const;

export const LedgerDiscrepancyDataSchema = z
  .strictObject({
    asset: AssetSchema.describe('The asset compared; every amount below is in it.'),
    ledgerBalance: MoneySchema.describe("The ledger's booked balance for the account at the compared point."),
    providerBalance: MoneySchema.describe("The provider's booked balance from the balance.updated event."),
    difference: MoneySchema.describe('providerBalance − ledgerBalance.'),
    status: z
      .enum(DISCREPANCY_STATUSES)
      .describe('open: the balances differ; cleared: a later comparison (or a correction) made them agree.'),
    balanceEventId: EventIdSchema.describe('Id of the balance.updated event the comparison came from.'),
  })
  .superRefine((data, context) => {
    for (const field of ['ledgerBalance', 'providerBalance', 'difference'] as const) {
      if (data[field].asset !== data.asset) {
        context.addIssue({ code: 'custom', path: [field, 'asset'], message: 'must equal data.asset' });
      }
    }
    if (data.ledgerBalance.asset !== data.asset || data.providerBalance.asset !== data.asset) return;
    const expected = BigInt(data.providerBalance.amount) - BigInt(data.ledgerBalance.amount);
    if (BigInt(data.difference.amount) !== expected) {
      context.addIssue({
        code: 'custom',
        path: ['difference', 'amount'],
        message: 'must equal providerBalance − ledgerBalance',
      });
    }
    if (data.status === 'open' && expected === 0n) {
      context.addIssue({ code: 'custom', path: ['status'], message: 'cannot be open when the balances agree' });
    }
  }, WHEN_FIELDS_VALID)
  .meta({ id: 'LedgerDiscrepancyData' });

export const LedgerDiscrepancyEventSchema = z
  .strictObject({
    ...envelopeHead('ledger.discrepancy', ['ledger']),
    account: AccountRefSchema,
    correlationId: CorrelationIdSchema,
    data: LedgerDiscrepancyDataSchema,
  })
  .superRefine(checkRefsBelongToProvider, WHEN_FIELDS_VALID)
  .meta({
    id: 'LedgerDiscrepancyEvent',
    title: 'ledger.discrepancy v1',
    description:
      "Reconciliation finding: a provider's reported balance differs from the ledger's (open), or agrees again (cleared). provider is the account's provider.",
  });

export type LedgerDiscrepancyData = z.infer<typeof LedgerDiscrepancyDataSchema>;
export type LedgerDiscrepancyEvent = z.infer<typeof LedgerDiscrepancyEventSchema>;
