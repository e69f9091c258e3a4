import { paymentInitiator, type InitiatedPayment, type PaymentInitiator, type PaymentStatusPoller } from '@finmesh/connector-kit';
import { ContractError, moneyFromDecimal, moneyToDecimal } from '@finmesh/schemas';
import { z } from 'zod';
import type { FindigiClient } from './client';
import { paymentObservation, type FindigiAssets } from './normalize';

const id = z.string().regex(/^[A-Za-z0-9_:-]{1,128}$/, { message: 'must be a FinDIGI id' });
const decimalAmount = z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a positive decimal string, e.g. "100.00"' });
const currency = z.string().regex(/^[A-Z0-9]{2,12}$/, { message: 'must be a currency code, e.g. IDR' });

/** `POST /v1/payments` bodies the FinDIGI connector accepts: a transfer between wallets, or a transfer to a bank account. */
export function findigiPaymentRequestSchema(assets: FindigiAssets) {
  return z
    .discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('wallet_transfer'),
        sourceWalletId: id,
        destinationWalletId: id,
        amount: decimalAmount,
        currency,
        description: z.string().min(1).max(255).optional(),
      }),
      z.strictObject({
        type: z.literal('bank_transfer'),
        sourceWalletId: id,
        amount: decimalAmount,
        currency,
        beneficiary: z.strictObject({
          bankCode: z.string().regex(/^[A-Za-z0-9_]{2,32}$/, { message: 'must be a bank code, e.g. BCA' }),
          accountNumber: z.string().regex(/^\d{6,20}$/, { message: 'must be 6 to 20 digits' }),
          accountName: z.string().min(1).max(140),
        }),
        description: z.string().min(1).max(255).optional(),
      }),
    ])
    .superRefine((request, context) => {
      // Exact in the currency's precision and above zero, or refused before FinDIGI is asked.
      try {
        const money = moneyFromDecimal(request.amount, assets.assetOf(request.currency));
        if (BigInt(money.amount) <= 0n) context.addIssue({ code: 'custom', path: ['amount'], message: 'must be greater than zero' });
      } catch (error: unknown) {
        if (!(error instanceof ContractError)) throw error;
        context.addIssue({ code: 'custom', path: ['amount'], message: error.message });
      }
    });
}

/**
 * Wallet transfers go to `POST /api/wallets/transfers`, bank transfers to
 * `POST /api/fiat/transfers-to-bank`, with the derived Idempotency-Key. In a maker-checker
 * workspace the answer is `awaiting_approval` (pending_approval) until a checker decides.
 */
export function findigiPaymentInitiator(client: FindigiClient, assets: FindigiAssets): PaymentInitiator {
  return paymentInitiator({
    requestSchema: findigiPaymentRequestSchema(assets),
    async initiate(request, context): Promise<InitiatedPayment> {
      const amount = moneyFromDecimal(request.amount, assets.assetOf(request.currency));
      // Sent in the currency's canonical form, so the same request always has the same bytes.
      const decimal = moneyToDecimal(amount);
      const description = request.description === undefined ? {} : { description: request.description };
      const transfer =
        request.type === 'wallet_transfer'
          ? await client.createWalletTransfer(
              { source_wallet_id: request.sourceWalletId, destination_wallet_id: request.destinationWalletId, amount: decimal, ...description },
              context.providerIdempotencyKey,
              context.signal,
            )
          : await client.createBankTransfer(
              {
                source_wallet_id: request.sourceWalletId,
                amount: decimal,
                beneficiary: { bank_code: request.beneficiary.bankCode, account_number: request.beneficiary.accountNumber, account_name: request.beneficiary.accountName },
                ...description,
              },
              context.providerIdempotencyKey,
              context.signal,
            );
      if (transfer.currency !== request.currency) {
        throw new ContractError('invalid_asset', `FinDIGI transfer ${transfer.id} is in ${transfer.currency.slice(0, 16)}, not the requested ${request.currency}`);
      }
      return { ...paymentObservation(transfer), providerPaymentId: transfer.id, accountId: transfer.source_wallet_id, amount };
    },
  });
}

const storedTypeSchema = z.object({ type: z.enum(['wallet_transfer', 'bank_transfer']) });

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
      }
    },
  };
}
