import { UntranslatableCallbackError, type CallbackTranslator } from '@finmesh/connector-kit';
import { z } from 'zod';
import { paymentObservation } from './normalize';

const webhookSchema = z.object({
  event: z.string().regex(/^(wallet_transfer|bank_transfer|payout)\.[a-z_]+$/),
  data: z.object({ id: z.string().min(1), status: z.string().min(1), updated_at: z.iso.datetime({ offset: true }), failure_reason: z.string().nullable().optional() }),
});

/**
 * FinDIGI's Xendit-style transfer webhooks, verified by the ingress (`x-callback-token`). The
 * transfer in `data` becomes a payment update versioned by its `updated_at`, exactly as a poll of
 * the same transfer would be: the kit publishes the change once, whichever arrives first.
 */
export function findigiCallbackTranslator(): CallbackTranslator {
  return {
    translate(callback) {
      const scheme = callback.data.verification.scheme;
      if (scheme !== 'callback-token' && scheme !== 'standard-webhooks') {
        return Promise.reject(new UntranslatableCallbackError(`a FinDIGI callback verified as ${scheme}, not callback-token`));
      }
      const parsed = webhookSchema.safeParse(callback.data.parsedBody);
      if (!parsed.success) return Promise.reject(new UntranslatableCallbackError('a FinDIGI webhook body is not a transfer status event'));
      const transfer = parsed.data.data;
      return Promise.resolve({
        events: [],
        paymentUpdates: [{ providerPaymentId: transfer.id, observation: paymentObservation({ status: transfer.status, updated_at: transfer.updated_at, failure_reason: transfer.failure_reason ?? null }) }],
      });
    },
  };
}
