import { UntranslatableCallbackError, type CallbackPaymentUpdate, type CallbackTranslator } from '@finmesh/connector-kit';
import { TimestampSchema } from '@finmesh/schemas';
import { z } from 'zod';
import type { ConsentService } from './consents';
import { paymentObservation } from './normalize';

const notificationSchema = z.object({
  paymentId: z.string().min(1).optional(),
  consentId: z.string().min(1).optional(),
  transactionStatus: z.string().min(1).optional(),
  scaStatus: z.string().min(1).optional(),
  consentStatus: z.string().min(1).optional(),
  occurredAt: z.string().optional(),
});

/**
 * INDEXO status notifications, verified by the ingress (`indexo-notification`). A payment's
 * status becomes a payment update (the kit publishes it unless the poller already did: no
 * status version, so both give the same event id). A failed payment SCA is left to the poller,
 * which reports it through the bank's final status. A consent notification makes the consent
 * tracker check that consent now, through its links.
 */
export function indexoCallbackTranslator(consents: ConsentService): CallbackTranslator {
  return {
    async translate(callback, context) {
      if (callback.data.verification.scheme !== 'indexo-notification') {
        throw new UntranslatableCallbackError(`an INDEXO callback verified as ${callback.data.verification.scheme}, not indexo-notification`);
      }
      const parsed = notificationSchema.safeParse(callback.data.parsedBody);
      if (!parsed.success) throw new UntranslatableCallbackError('an INDEXO notification body is not a JSON object with string status fields');
      const body = parsed.data;
      const occurredAt = body.occurredAt !== undefined && TimestampSchema.safeParse(body.occurredAt).success ? body.occurredAt : callback.data.receivedAt;
      if (body.paymentId !== undefined) {
        const paymentUpdates: CallbackPaymentUpdate[] = [];
        if (body.transactionStatus !== undefined) {
          paymentUpdates.push({ providerPaymentId: body.paymentId, observation: paymentObservation('indexo.iso20022', body.transactionStatus, occurredAt) });
        }
        if (body.scaStatus !== undefined && body.scaStatus !== 'failed') {
          paymentUpdates.push({ providerPaymentId: body.paymentId, observation: paymentObservation('indexo.sca', body.scaStatus, occurredAt) });
        }
        return { events: [], paymentUpdates };
      }
      if (body.consentId !== undefined) {
        const known = await consents.wake(body.consentId);
        if (!known) context.log.info('a notification about a consent that is not waiting for anything', { consentId: body.consentId });
        return { events: [] };
      }
      throw new UntranslatableCallbackError('an INDEXO notification names neither paymentId nor consentId');
    },
  };
}
