import { z } from 'zod';
import { AssetSchema, MoneySchema, NonNegativeMoneySchema } from '../money';
import { identifierSchema, TimestampSchema, WHEN_FIELDS_VALID } from '../primitives';
import { AccountRefSchema } from '../refs';
import { checkRefsBelongToProvider, CorrelationIdSchema, envelopeHead, PROVIDER_FACT_SOURCES } from './envelope';

export const BalanceUpdatedDataSchema = z
  .strictObject({
    asset: AssetSchema.describe('The asset of this balance; every amount below is in it.'),
    booked: MoneySchema.describe(
      "Booked (current) balance: the provider's settled book entries. This is what the ledger reconciles against.",
    ),
    available: MoneySchema.optional().describe(
      'Available balance as the provider reports it (booked minus holds, plus any credit line).',
    ),
    onHold: NonNegativeMoneySchema.optional().describe(
      'Amount held or reserved (open orders, pending withdrawals), as the provider reports it.',
    ),
    asOf: TimestampSchema.describe(
      "The provider's timestamp of this balance; when the provider gives none, the time finmesh read it.",
    ),
    providerVersion: identifierSchema(128)
      .optional()
      .describe('A version or sequence number the provider gives its balance, verbatim, when it has one.'),
  })
  .superRefine((data, context) => {
    for (const field of ['booked', 'available', 'onHold'] as const) {
      const money = data[field];
      if (money !== undefined && money.asset !== data.asset) {
        context.addIssue({ code: 'custom', path: [field, 'asset'], message: 'must equal data.asset' });
      }
    }
  }, WHEN_FIELDS_VALID)
  .meta({ id: 'BalanceUpdatedData' });

export const BalanceUpdatedEventSchema = z
  .strictObject({
    ...envelopeHead('balance.updated', PROVIDER_FACT_SOURCES),
    account: AccountRefSchema,
    correlationId: CorrelationIdSchema,
    data: BalanceUpdatedDataSchema,
  })
  .superRefine(checkRefsBelongToProvider, WHEN_FIELDS_VALID)
  .meta({
    id: 'BalanceUpdatedEvent',
    title: 'balance.updated v1',
    description:
      "A provider reported an account balance. The first one for an account opens it in the ledger; later ones are compared with the ledger's balance.",
  });

export type BalanceUpdatedData = z.infer<typeof BalanceUpdatedDataSchema>;
export type BalanceUpdatedEvent = z.infer<typeof BalanceUpdatedEventSchema>;
