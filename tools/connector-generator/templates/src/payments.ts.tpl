import { paymentInitiator, type PaymentInitiator, type PaymentStatusPoller } from '@finmesh/connector-kit';
import { ContractError, moneyFromDecimal, moneyToDecimal } from '@finmesh/schemas';
import { z } from 'zod';
import type { __Name__Client } from './client';
import { assetOf, paymentObservation } from './normalize';

/** `POST /v1/payments` bodies this connector accepts. */
export const __name__PaymentRequestSchema = z
  .strictObject({
    accountId: z.string().min(1).max(128),
    amount: z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a positive decimal string' }),
    currency: z.string().regex(/^[A-Z0-9]{2,12}$/),
    reference: z.string().min(1).max(140).optional(),
  })
  .superRefine((request, context) => {
    // Exact in the currency's precision, or refused before the provider is asked.
    try {
      if (BigInt(moneyFromDecimal(request.amount, assetOf(request.currency)).amount) <= 0n) {
        context.addIssue({ code: 'custom', path: ['amount'], message: 'must be greater than zero' });
      }
    } catch (error: unknown) {
      if (!(error instanceof ContractError)) throw error;
      context.addIssue({ code: 'custom', path: ['amount'], message: error.message });
    }
  });

export function __name__PaymentInitiator(client: Pick<__Name__Client, 'createPayment'>): PaymentInitiator {
  return paymentInitiator({
    requestSchema: __name__PaymentRequestSchema,
    async initiate(request, context) {
      const amount = moneyFromDecimal(request.amount, assetOf(request.currency));
      const payment = await client.createPayment(
        {
          account_id: request.accountId,
          amount: moneyToDecimal(amount),
          currency: request.currency,
          ...(request.reference === undefined ? {} : { reference: request.reference }),
        },
        context.providerIdempotencyKey,
        context.signal,
      );
      return { ...paymentObservation(payment), providerPaymentId: payment.id, accountId: payment.account_id, amount };
    },
  });
}

export function __name__PaymentPoller(client: Pick<__Name__Client, 'payment'>): PaymentStatusPoller {
  return {
    async poll(payment, context) {
      return paymentObservation(await client.payment(payment.providerPaymentId, context.signal));
    },
  };
}
