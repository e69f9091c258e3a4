import { z } from 'zod';
import { NonNegativeMoneySchema, PositiveMoneySchema } from '../money';
import { identifierSchema, textSchema, TimestampSchema, WHEN_FIELDS_VALID } from '../primitives';
import { AccountRefSchema, PaymentRefSchema } from '../refs';
import { checkRefsBelongToProvider, CorrelationIdSchema, envelopeHead, PROVIDER_FACT_SOURCES } from './envelope';

export const TRANSACTION_DIRECTIONS = ['credit', 'debit'] as const;
export const TRANSACTION_KINDS = ['deposit', 'withdrawal', 'transfer', 'trade', 'fee', 'adjustment', 'other'] as const;
export const TRANSACTION_STATUSES = ['booked', 'pending'] as const;

const IBAN_PATTERN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

export const CounterpartySchema = z
  .strictObject({
    name: textSchema(256).optional().describe('Name of the other party, as the provider gives it.'),
    iban: z.string().regex(IBAN_PATTERN).optional().describe('IBAN of the other party, upper case, no spaces.'),
    address: identifierSchema(256)
      .optional()
      .describe('Crypto address, provider username or account number of the other party.'),
  })
  .superRefine((counterparty, context) => {
    if (counterparty.name === undefined && counterparty.iban === undefined && counterparty.address === undefined) {
      context.addIssue({ code: 'custom', path: [], message: 'must have at least one of name, iban, address' });
    }
  }, WHEN_FIELDS_VALID)
  .meta({ id: 'Counterparty', description: 'The other side of a transaction, as far as the provider tells.' });

export const TransactionPostedDataSchema = z
  .strictObject({
    providerTransactionId: identifierSchema(256).describe("The provider's own id of this book entry."),
    direction: z.enum(TRANSACTION_DIRECTIONS).describe('credit: money into the account; debit: money out of it.'),
    amount: PositiveMoneySchema.describe(
      'Gross amount, always positive (direction carries the sign). The fee, if any, is part of it: the account changes by +(amount − fee) for a credit and by −amount for a debit.',
    ),
    fee: NonNegativeMoneySchema.optional().describe(
      'The part of the gross amount the provider kept, in the same asset. A fee in another asset is its own transaction of kind fee.',
    ),
    kind: z.enum(TRANSACTION_KINDS),
    status: z.enum(TRANSACTION_STATUSES).describe(
      'booked: in the provider’s books (the ledger posts it); pending: announced, not booked yet.',
    ),
    bookedAt: TimestampSchema.optional().describe('When the provider booked it; required when status is booked.'),
    valueDate: z.iso.date().optional().describe('Value date (YYYY-MM-DD) when the provider gives one.'),
    counterparty: CounterpartySchema.optional(),
    description: textSchema(1000).optional().describe('Remittance information or memo, as the provider gives it.'),
  })
  .superRefine((data, context) => {
    if (data.fee !== undefined) {
      if (data.fee.asset !== data.amount.asset) {
        context.addIssue({ code: 'custom', path: ['fee', 'asset'], message: 'must equal amount.asset' });
      } else if (BigInt(data.fee.amount) > BigInt(data.amount.amount)) {
        context.addIssue({ code: 'custom', path: ['fee', 'amount'], message: 'must not exceed the gross amount' });
      }
    }
    if (data.status === 'booked' && data.bookedAt === undefined) {
      context.addIssue({ code: 'custom', path: ['bookedAt'], message: 'is required when status is booked' });
    }
    if (data.status === 'pending' && data.bookedAt !== undefined) {
      context.addIssue({ code: 'custom', path: ['bookedAt'], message: 'must be absent while status is pending' });
    }
  }, WHEN_FIELDS_VALID)
  .meta({ id: 'TransactionPostedData' });

export const TransactionPostedEventSchema = z
  .strictObject({
    ...envelopeHead('transaction.posted', PROVIDER_FACT_SOURCES),
    account: AccountRefSchema,
    payment: PaymentRefSchema.optional().describe('The payment this entry settles, when the connector knows it.'),
    correlationId: CorrelationIdSchema,
    data: TransactionPostedDataSchema,
  })
  .superRefine(checkRefsBelongToProvider, WHEN_FIELDS_VALID)
  .meta({
    id: 'TransactionPostedEvent',
    title: 'transaction.posted v1',
    description:
      "A book entry on a provider account (deposit, withdrawal, transfer, trade, fee …). Booked ones are the only source of the ledger's booked money.",
  });

export type Counterparty = z.infer<typeof CounterpartySchema>;
export type TransactionPostedData = z.infer<typeof TransactionPostedDataSchema>;
export type TransactionPostedEvent = z.infer<typeof TransactionPostedEventSchema>;
