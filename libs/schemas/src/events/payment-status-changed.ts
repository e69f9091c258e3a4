import { z } from 'zod';
import { ContractError } from '../errors';
import { moneyFromDecimal, parseAsset, PositiveMoneySchema } from '../money';
import { PaymentStatusSchema } from '../payment-status';
import { hasControlCharacters, identifierSchema, textSchema, WHEN_FIELDS_VALID } from '../primitives';
import { AccountRefSchema, PaymentRefSchema } from '../refs';
import { findStatusMapping, RawProviderStatusSchema, STATUS_SCHEMES } from '../status-mappings';
import { checkRefsBelongToProvider, CorrelationIdSchema, envelopeHead, PROVIDER_FACT_SOURCES } from './envelope';

/**
 * What the ingress needs to answer Indodax's withdraw verification callback: Indodax posts back
 * request_id, withdraw_currency, withdraw_address, withdraw_amount, withdraw_memo (and
 * withdraw_username) "from your request", and finmesh answers `ok` only if all of them match.
 */
export const IndodaxWithdrawalSchema = z
  .strictObject({
    requestId: z
      .string()
      .regex(/^[A-Za-z0-9]{1,255}$/)
      .describe('request_id sent to withdrawCoin (Indodax: alphanumeric, at most 255 characters).'),
    currency: z
      .string()
      .regex(/^[a-z0-9]{1,32}$/)
      .describe('currency sent to withdrawCoin, as sent (lower case, e.g. btc, doge).'),
    network: z
      .string()
      .regex(/^[a-z0-9]{1,32}$/)
      .optional()
      .describe('network sent to withdrawCoin, if any (erc20, trc20, bep20 …).'),
    address: z
      .string()
      .max(256)
      .refine((value) => !hasControlCharacters(value), { message: 'must not contain control characters' })
      .describe('withdraw_address sent; empty for a withdrawal to an Indodax username.'),
    amount: z
      .string()
      .regex(/^(0|[1-9]\d*)(\.\d+)?$/)
      .max(100)
      .describe('withdraw_amount exactly as sent (e.g. "10.00000000"): Indodax echoes this string in the callback.'),
    memo: textSchema(256).optional().describe('withdraw_memo sent, if any.'),
    username: identifierSchema(128).optional().describe('withdraw_username sent, for a withdrawal to an Indodax username.'),
  })
  .superRefine((withdrawal, context) => {
    if (withdrawal.address === '' && withdrawal.username === undefined) {
      context.addIssue({ code: 'custom', path: ['address'], message: 'must not be empty unless username is given' });
    }
  }, WHEN_FIELDS_VALID)
  .meta({
    id: 'IndodaxWithdrawal',
    description: 'The withdrawCoin request as finmesh sent it, for matching Indodax’s verification callback.',
  });

export const PaymentStatusChangedDataSchema = z
  .strictObject({
    amount: PositiveMoneySchema.describe('The payment amount (for a withdrawal, the gross amount requested).'),
    status: PaymentStatusSchema.describe('Normalized status; must be the mapping of rawStatus.'),
    rawStatus: RawProviderStatusSchema,
    previousStatus: PaymentStatusSchema.optional().describe(
      'The normalized status the producer knew before this one, if any (informational).',
    ),
    providerStatusVersion: identifierSchema(128)
      .optional()
      .describe("The provider's timestamp or sequence number of this status, verbatim, when it gives one."),
    providerPaymentId: identifierSchema(256)
      .optional()
      .describe("The provider's own id when it differs from the payment ref id (Indodax withdraw_id)."),
    reason: textSchema(1000).optional().describe('Why (rejection or failure reason), as the provider gives it.'),
    withdrawal: IndodaxWithdrawalSchema.optional().describe('Indodax withdrawals only.'),
  })
  .superRefine((data, context) => {
    const mapping = findStatusMapping(data.rawStatus.scheme, data.rawStatus.code);
    if (mapping === undefined) {
      const known = Object.keys(STATUS_SCHEMES[data.rawStatus.scheme].codes).join(', ');
      context.addIssue({
        code: 'custom',
        path: ['rawStatus', 'code'],
        message: `is not a known ${data.rawStatus.scheme} status (known: ${known})`,
      });
    } else if (mapping.status !== data.status) {
      context.addIssue({
        code: 'custom',
        path: ['status'],
        message: `must be ${mapping.status}, the mapping of ${data.rawStatus.scheme} ${data.rawStatus.code}`,
      });
    }
    if (data.withdrawal !== undefined) checkWithdrawalMatchesAmount(data.withdrawal, data.amount, context);
  }, WHEN_FIELDS_VALID)
  .meta({ id: 'PaymentStatusChangedData' });

export const PaymentStatusChangedEventSchema = z
  .strictObject({
    ...envelopeHead('payment.status_changed', PROVIDER_FACT_SOURCES),
    account: AccountRefSchema.describe('The provider account the payment is made from.'),
    payment: PaymentRefSchema,
    correlationId: CorrelationIdSchema,
    data: PaymentStatusChangedDataSchema,
  })
  .superRefine((event, context) => {
    checkRefsBelongToProvider(event, context);
    if (STATUS_SCHEMES[event.data.rawStatus.scheme].provider !== event.provider) {
      context.addIssue({
        code: 'custom',
        path: ['data', 'rawStatus', 'scheme'],
        message: `is not a status scheme of provider ${event.provider}`,
      });
    }
    if (event.data.withdrawal !== undefined && event.provider !== 'indodax') {
      context.addIssue({ code: 'custom', path: ['data', 'withdrawal'], message: 'is only for Indodax withdrawals' });
    }
  }, WHEN_FIELDS_VALID)
  .meta({
    id: 'PaymentStatusChangedEvent',
    title: 'payment.status_changed v1',
    description:
      "A payment's status at a provider was observed. Statuses only move forward (see decideTransition); a late, older status is still published and recorded, never applied.",
  });

type WithdrawalCheckContext = Parameters<Parameters<typeof IndodaxWithdrawalSchema.superRefine>[0]>[1];

function checkWithdrawalMatchesAmount(
  withdrawal: z.infer<typeof IndodaxWithdrawalSchema>,
  amount: z.infer<typeof PositiveMoneySchema>,
  context: Pick<WithdrawalCheckContext, 'addIssue'>,
): void {
  if (withdrawal.currency.toUpperCase() !== parseAsset(amount.asset).code) {
    context.addIssue({
      code: 'custom',
      path: ['withdrawal', 'currency'],
      message: 'must be the code of amount.asset (in lower case)',
    });
    return;
  }
  try {
    if (moneyFromDecimal(withdrawal.amount, amount.asset).amount !== amount.amount) {
      context.addIssue({ code: 'custom', path: ['withdrawal', 'amount'], message: 'must be the same value as amount' });
    }
  } catch (error: unknown) {
    if (!(error instanceof ContractError)) throw error;
    context.addIssue({ code: 'custom', path: ['withdrawal', 'amount'], message: error.message });
  }
}

export type IndodaxWithdrawal = z.infer<typeof IndodaxWithdrawalSchema>;
export type PaymentStatusChangedData = z.infer<typeof PaymentStatusChangedDataSchema>;
export type PaymentStatusChangedEvent = z.infer<typeof PaymentStatusChangedEventSchema>;
