import { paymentInitiator, type InitiatedPayment, type PaymentInitiator, type PaymentStatusPoller } from '@finmesh/connector-kit';
import { ContractError, moneyFromDecimal, moneyToDecimal } from '@finmesh/schemas';
import { z } from 'zod';
import type { IndxClient } from './client';
import { paymentObservation, type IndxAssets } from './normalize';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, { message: 'must be an INDX id' });
const decimalAmount = z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a positive decimal string, e.g. "100.00"' });
const currency = z.string().regex(/^[A-Z0-9]{2,12}$/, { message: 'must be a currency code, e.g. USD' });

/** `POST /v1/payments` bodies the INDX connector accepts: a wire to an external account, or a transfer between INDX accounts. */
export function indxPaymentRequestSchema(assets: IndxAssets) {
  return z
    .discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('wire_transfer'),
        accountId: id,
        externalAccountId: id,
        amount: decimalAmount,
        currency,
        reference: z.string().min(1).max(140).optional(),
        memo: z.string().min(1).max(500).optional(),
      }),
      z.strictObject({
        type: z.literal('account_transfer'),
        fromAccountId: id,
        toAccountId: id,
        amount: decimalAmount,
        currency,
        description: z.string().min(1).max(500).optional(),
      }),
    ])
    .superRefine((request, context) => {
      // Exact in the currency's precision and above zero, or refused before INDX is asked.
      try {
        const money = moneyFromDecimal(request.amount, assets.assetOf(request.currency));
        if (BigInt(money.amount) <= 0n) context.addIssue({ code: 'custom', path: ['amount'], message: 'must be greater than zero' });
      } catch (error: unknown) {
        if (!(error instanceof ContractError)) throw error;
        context.addIssue({ code: 'custom', path: ['amount'], message: error.message });
      }
    });
}

export type IndxPaymentRequest = z.output<ReturnType<typeof indxPaymentRequestSchema>>;

/** Wires go to `POST /v1/wire-transfers`, account transfers to `POST /v1/transfers`, with the derived Idempotency-Key. */
export function indxPaymentInitiator(client: Pick<IndxClient, 'createWire' | 'createTransfer'>, assets: IndxAssets): PaymentInitiator {
  return paymentInitiator({
    requestSchema: indxPaymentRequestSchema(assets),
    async initiate(request, context): Promise<InitiatedPayment> {
      const amount = moneyFromDecimal(request.amount, assets.assetOf(request.currency));
      // Sent in the currency's canonical form, so the same request always has the same bytes.
      const decimal = moneyToDecimal(amount);
      switch (request.type) {
        case 'wire_transfer': {
          const wire = await client.createWire(
            {
              accountId: request.accountId,
              externalAccountId: request.externalAccountId,
              amount: decimal,
              currency: request.currency,
              ...(request.reference === undefined ? {} : { reference: request.reference }),
              ...(request.memo === undefined ? {} : { memo: request.memo }),
            },
            context.providerIdempotencyKey,
            context.signal,
          );
          return { ...paymentObservation(wire), providerPaymentId: wire.id, accountId: wire.accountId, amount };
        }
        case 'account_transfer': {
          const transfer = await client.createTransfer(
            {
              fromAccountId: request.fromAccountId,
              toAccountId: request.toAccountId,
              amount: decimal,
              currency: request.currency,
              ...(request.description === undefined ? {} : { description: request.description }),
            },
            context.providerIdempotencyKey,
            context.signal,
          );
          return { ...paymentObservation(transfer), providerPaymentId: transfer.id, accountId: transfer.fromAccountId, amount };
        }
      }
    },
  });
}

const storedTypeSchema = z.object({ type: z.enum(['wire_transfer', 'account_transfer']) });

/** Reads a payment's current status from INDX (wires and transfers have their own routes). */
export function indxPaymentPoller(client: Pick<IndxClient, 'wire' | 'transfer'>): PaymentStatusPoller {
  return {
    async poll(payment, context) {
      const { type } = storedTypeSchema.parse(payment.request);
      switch (type) {
        case 'wire_transfer':
          return paymentObservation(await client.wire(payment.providerPaymentId, context.signal));
        case 'account_transfer':
          return paymentObservation(await client.transfer(payment.providerPaymentId, context.signal));
      }
    },
  };
}
