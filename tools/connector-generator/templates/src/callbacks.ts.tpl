import { UntranslatableCallbackError, type CallbackTranslation, type CallbackTranslator } from '@finmesh/connector-kit';
import { z } from 'zod';

/**
 * The provider's verified callbacks (the ingress stored and published them) as payment updates.
 * The body shape is the generator's starting point: `{ "type": "payment.updated", "data": { id,
 * status, updated_at, reason? } }`; adapt it to the documented one.
 */
const callbackSchema = z.object({
  type: z.literal('payment.updated'),
  data: z.object({ id: z.string().min(1), status: z.string().min(1), updated_at: z.iso.datetime({ offset: true }), reason: z.string().optional() }),
});

export const __name__CallbackTranslator: CallbackTranslator = {
  translate(callback): Promise<CallbackTranslation> {
    const parsed = callbackSchema.safeParse(callback.data.parsedBody);
    if (!parsed.success) return Promise.reject(new UntranslatableCallbackError(`not a payment update (${parsed.error.issues[0]?.message ?? 'unknown shape'})`));
    const { id, status, updated_at: updatedAt, reason } = parsed.data.data;
    return Promise.resolve({
      events: [],
      paymentUpdates: [
        {
          providerPaymentId: id,
          observation: { rawStatus: { scheme: '__scheme__', code: status }, providerStatusVersion: updatedAt, occurredAt: updatedAt, ...(reason === undefined ? {} : { reason }) },
        },
      ],
    });
  },
};
