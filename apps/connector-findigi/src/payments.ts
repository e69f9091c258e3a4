import { paymentInitiator, UpstreamError, type InitiateContext, type InitiatedPayment, type PaymentInitiator, type PaymentStatusPoller } from '@finmesh/connector-kit';
import { ContractError, minorUnitsOf, moneyFromDecimal, moneyToDecimal } from '@finmesh/schemas';
import { z } from 'zod';
import type { BankTransferRequest, FindigiClient, FindigiTransfer } from './client';
import { paymentObservation, type FindigiAssets } from './normalize';

const id = z.string().regex(/^[A-Za-z0-9_:-]{1,128}$/, { message: 'must be a FinDIGI id' });
const decimalAmount = z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a positive decimal string, e.g. "100.00"' });
const currency = z.string().regex(/^[A-Z0-9]{2,12}$/, { message: 'must be a currency code, e.g. IDR' });
const description = z.string().min(1).max(255).optional();
const beneficiarySchema = z.strictObject({
  bankCode: z.string().regex(/^[A-Za-z0-9_]{2,32}$/, { message: 'must be a bank code, e.g. BCA' }),
  accountNumber: z.string().regex(/^\d{6,20}$/, { message: 'must be 6 to 20 digits' }),
  accountName: z.string().min(1).max(140),
});

/** An amount exact in the currency's precision and above zero, or an issue at `path`. */
function checkAmount(assets: FindigiAssets, amount: string, currencyCode: string, path: string, context: z.RefinementCtx, positive: boolean): void {
  try {
    const money = moneyFromDecimal(amount, assets.assetOf(currencyCode));
    if (positive && BigInt(money.amount) <= 0n) context.addIssue({ code: 'custom', path: [path], message: 'must be greater than zero' });
  } catch (error: unknown) {
    if (!(error instanceof ContractError)) throw error;
    context.addIssue({ code: 'custom', path: [path], message: error.message });
  }
}

/**
 * `POST /v1/payments` bodies the FinDIGI connector accepts: a transfer between wallets, a transfer
 * to a bank account (with the quote step), a payout (to a saved bank account or an explicit one),
 * and `batch_transfer_item`, which follows one item of a batch created through
 * `POST /v1/batch-transfers` as a payment of its own (it creates nothing at FinDIGI).
 */
export function findigiPaymentRequestSchema(assets: FindigiAssets) {
  return z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('wallet_transfer'), sourceWalletId: id, destinationWalletId: id, amount: decimalAmount, currency, description }),
      z.strictObject({
        type: z.literal('bank_transfer'),
        sourceWalletId: id,
        amount: decimalAmount,
        currency,
        beneficiary: beneficiarySchema,
        /** The highest fee the caller accepts; FinDIGI's quote above it refuses the payment before anything is created. */
        maxFee: decimalAmount.optional(),
        description,
      }),
      z.strictObject({ type: z.literal('payout'), sourceWalletId: id, amount: decimalAmount, currency, beneficiaryId: id.optional(), beneficiary: beneficiarySchema.optional(), description }),
      z.strictObject({ type: z.literal('batch_transfer_item'), batchId: id, itemId: id }),
    ])
    .superRefine((request, context) => {
      // Exact in the currency's precision and above zero, or refused before FinDIGI is asked.
      if (request.type === 'batch_transfer_item') return;
      checkAmount(assets, request.amount, request.currency, 'amount', context, true);
      if (request.type === 'bank_transfer' && request.maxFee !== undefined) checkAmount(assets, request.maxFee, request.currency, 'maxFee', context, false);
      if (request.type === 'payout' && (request.beneficiaryId === undefined) === (request.beneficiary === undefined)) {
        context.addIssue({ code: 'custom', path: ['beneficiaryId'], message: 'give beneficiaryId (a saved bank account) or beneficiary, not both' });
      }
    });
}

export type FindigiPaymentRequest = z.output<ReturnType<typeof findigiPaymentRequestSchema>>;

/**
 * Wallet transfers go to `POST /api/wallets/transfers`, bank transfers to
 * `POST /api/fiat/transfers-to-bank` (after its quote), payouts to `POST /api/fiat/payout`, with
 * the derived Idempotency-Key. In a maker-checker workspace the answer is `awaiting_approval`
 * (pending_approval) until a checker decides.
 */
export function findigiPaymentInitiator(client: FindigiClient, assets: FindigiAssets): PaymentInitiator {
  return paymentInitiator({
    requestSchema: findigiPaymentRequestSchema(assets),
    async initiate(request, context): Promise<InitiatedPayment> {
      if (request.type === 'batch_transfer_item') return followBatchItem(client, assets, request.batchId, request.itemId, context);
      const amount = moneyFromDecimal(request.amount, assets.assetOf(request.currency));
      // Sent in the currency's canonical form, so the same request always has the same bytes.
      const decimal = moneyToDecimal(amount);
      const describedAs = request.description === undefined ? {} : { description: request.description };
      let transfer: FindigiTransfer;
      switch (request.type) {
        case 'wallet_transfer':
          transfer = await client.createWalletTransfer(
            { source_wallet_id: request.sourceWalletId, destination_wallet_id: request.destinationWalletId, amount: decimal, ...describedAs },
            context.providerIdempotencyKey,
            context.signal,
          );
          break;
        case 'bank_transfer':
          transfer = await createBankTransfer(
            client,
            assets,
            { source_wallet_id: request.sourceWalletId, amount: decimal, beneficiary: bankBeneficiary(request.beneficiary), ...describedAs },
            request.currency,
            request.maxFee,
            context,
          );
          break;
        case 'payout':
          transfer = await client.createPayout(
            {
              source_wallet_id: request.sourceWalletId,
              amount: decimal,
              ...(request.beneficiaryId === undefined ? {} : { beneficiary_id: request.beneficiaryId }),
              ...(request.beneficiary === undefined ? {} : { beneficiary: bankBeneficiary(request.beneficiary) }),
              ...describedAs,
            },
            context.providerIdempotencyKey,
            context.signal,
          );
          break;
      }
      if (transfer.currency !== request.currency) {
        throw new ContractError('invalid_asset', `FinDIGI transfer ${transfer.id} is in ${transfer.currency.slice(0, 16)}, not the requested ${request.currency}`);
      }
      return { ...paymentObservation(transfer), providerPaymentId: transfer.id, accountId: transfer.source_wallet_id, amount };
    },
  });
}

function bankBeneficiary(beneficiary: z.output<typeof beneficiarySchema>): { bank_code: string; account_number: string; account_name: string } {
  return { bank_code: beneficiary.bankCode, account_number: beneficiary.accountNumber, account_name: beneficiary.accountName };
}

/** A batch item is a payout at FinDIGI: read it, check it belongs to the batch, and follow it from its current status. */
async function followBatchItem(client: FindigiClient, assets: FindigiAssets, batchId: string, itemId: string, context: InitiateContext): Promise<InitiatedPayment> {
  const item = await client.payout(itemId, context.signal);
  if (item.batch_id !== batchId) {
    throw new UpstreamError('not_found', `FinDIGI payout ${itemId} is not an item of batch ${batchId}`, { provider: 'findigi', endpoint: 'fiat.payout.get' });
  }
  return { ...paymentObservation(item), providerPaymentId: item.id, accountId: item.source_wallet_id, amount: moneyFromDecimal(item.amount, assets.assetOf(item.currency)) };
}

/**
 * The quote step, then the transfer: FinDIGI quotes the fee (and refuses a corridor it cannot
 * serve) before anything is held; a fee above the caller's `maxFee` refuses the payment.
 */
async function createBankTransfer(
  client: FindigiClient,
  assets: FindigiAssets,
  request: BankTransferRequest,
  currencyCode: string,
  maxFee: string | undefined,
  context: InitiateContext,
): Promise<FindigiTransfer> {
  const quote = await client.quoteBankTransfer(request, context.signal);
  const asset = assets.assetOf(currencyCode);
  if (quote.currency !== currencyCode || minorUnitsOf(moneyFromDecimal(quote.amount, asset)) !== minorUnitsOf(moneyFromDecimal(request.amount, asset))) {
    throw new UpstreamError('server_error', `findigi fiat.transfers-to-bank.quote: the quote is for ${quote.amount} ${quote.currency.slice(0, 16)}, not ${request.amount} ${currencyCode}`, {
      provider: 'findigi',
      endpoint: 'fiat.transfers-to-bank.quote',
    });
  }
  if (maxFee !== undefined && minorUnitsOf(moneyFromDecimal(quote.fee, asset)) > minorUnitsOf(moneyFromDecimal(maxFee, asset))) {
    throw new UpstreamError('invalid_request', `FinDIGI quotes a fee of ${quote.fee} ${currencyCode}, above maxFee ${maxFee}`, {
      provider: 'findigi',
      endpoint: 'fiat.transfers-to-bank.quote',
    });
  }
  return client.createBankTransfer(request, context.providerIdempotencyKey, context.signal);
}

const storedTypeSchema = z.object({ type: z.enum(['wallet_transfer', 'bank_transfer', 'payout', 'batch_transfer_item']) });

/** Reads a transfer's current status (approval decisions included: they move the transfer). */
export function findigiPaymentPoller(client: FindigiClient): PaymentStatusPoller {
  return {
    async poll(payment, context) {
      const { type } = storedTypeSchema.parse(payment.request);
      switch (type) {
        case 'wallet_transfer':
          return paymentObservation(await client.walletTransfer(payment.providerPaymentId, context.signal));
        case 'bank_transfer':
          return paymentObservation(await client.bankTransfer(payment.providerPaymentId, context.signal));
        case 'payout':
        case 'batch_transfer_item':
          return paymentObservation(await client.payout(payment.providerPaymentId, context.signal));
      }
    },
  };
}
