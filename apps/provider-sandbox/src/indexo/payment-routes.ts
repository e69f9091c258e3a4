import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseDecimal } from '../core/money';
import { decimalText, describeIssues, parseJson } from '../http/json';
import { idempotent } from '../http/idempotent';
import { bodyText, headerValue } from '../http/raw-body';
import { psuAccountByIban } from './accounts-on-demand';
import { callerOf, type IndexoDeps } from './deps';
import { tppError } from './errors';
import { isValidIban } from './iban';
import { SANDBOX_CHALLENGE, type IndexoAccount, type Payment } from './model';
import { parseNotificationTarget } from './notifications';
import { paymentLinks, renderPaymentDetails } from './render';

const paymentRequest = z.object({
  creditorName: z.string().min(1).max(70),
  creditorAccount: z.object({ iban: z.string() }),
  debtorAccount: z.object({ iban: z.string() }).optional(),
  instructedAmount: z.object({ currency: z.string(), amount: decimalText }),
  remittanceInformationUnstructured: z.string().max(140).optional(),
  endToEndIdentification: z.string().max(35).optional(),
});

/** SEPA credit transfer initiation, its SCA status and its ISO 20022 payment status. */
export function registerPaymentRoutes(app: FastifyInstance, deps: IndexoDeps): void {
  const { state, ctx, random } = deps;
  const sandboxRules = ctx.options.indexo.sandboxRules;

  app.post('/v1/payments/sepa-credit-transfers', (request, reply) => {
    const caller = callerOf(request);
    return idempotent(
      deps.idempotency,
      request,
      reply,
      `indexo:${caller.psuId}`,
      () => tppError(reply, 409, 'FORMAT_ERROR', 'This Idempotency-Key was used with a different payment.'),
      () => {
        const json = parseJson(bodyText(request));
        if (!json.ok) return tppError(reply, 400, 'FORMAT_ERROR', 'The body is not valid JSON.');
        const parsed = paymentRequest.safeParse(json.value);
        if (!parsed.success) return tppError(reply, 400, 'FORMAT_ERROR', describeIssues(parsed.error));
        const body = parsed.data;
        if (body.instructedAmount.currency !== 'EUR') return tppError(reply, 400, 'FORMAT_ERROR', 'SEPA credit transfers are in EUR only.');
        const amount = parseDecimal(body.instructedAmount.amount, 2);
        if (!amount.ok || amount.minor <= 0n) {
          return tppError(reply, 400, 'FORMAT_ERROR', `instructedAmount.amount ${body.instructedAmount.amount} must be a positive amount with at most 2 decimals.`);
        }
        const creditorIban = body.creditorAccount.iban.replace(/\s+/g, '').toUpperCase();
        if (!isValidIban(creditorIban)) return tppError(reply, 400, 'FORMAT_ERROR', `creditorAccount.iban ${body.creditorAccount.iban} is not a valid IBAN.`);
        const notification = parseNotificationTarget(
          headerValue(request.headers['tpp-notification-uri']),
          headerValue(request.headers['tpp-notification-content-preferred']),
        );
        if (notification === 'invalid') return tppError(reply, 400, 'FORMAT_ERROR', 'TPP-Notification-URI or TPP-Notification-Content-Preferred is malformed.');

        let debtor: IndexoAccount | string | undefined;
        if (body.debtorAccount === undefined) {
          // In production INDEXO finds the PSU's current account; the sandbox cannot (documented).
          if (sandboxRules) return tppError(reply, 400, 'FORMAT_ERROR', 'debtorAccount.iban is mandatory in the sandbox.');
          debtor = state.psuAccounts(caller.psuId)[0];
          if (debtor === undefined) return tppError(reply, 400, 'FORMAT_ERROR', 'The PSU has no account to pay from.');
        } else {
          debtor = psuAccountByIban(deps, caller.psuId, body.debtorAccount.iban, true);
          if (typeof debtor === 'string') return tppError(reply, 400, 'FORMAT_ERROR', debtor);
        }
        if (debtor.iban === creditorIban) return tppError(reply, 400, 'FORMAT_ERROR', 'The creditor and debtor accounts are the same.');

        const now = ctx.clock.now();
        const payment: Payment = {
          id: random.uuid(),
          psuId: caller.psuId,
          debtorAccountId: debtor.resourceId,
          debtorIban: debtor.iban,
          creditorIban,
          creditorName: body.creditorName,
          ...(body.remittanceInformationUnstructured === undefined ? {} : { remittance: body.remittanceInformationUnstructured }),
          ...(body.endToEndIdentification === undefined ? {} : { endToEndId: body.endToEndIdentification }),
          amount: amount.minor,
          status: 'RCVD',
          // The documentation shows the payment challenge as a number, the consent one as a string.
          authorisation: { id: random.uuid(), scaStatus: 'received', challenge: sandboxRules ? SANDBOX_CHALLENGE : Number(random.digits(5).replace(/^0/, '1')) },
          createdAt: now,
          statusChangedAt: now,
          ...(notification === undefined ? {} : { notification }),
        };
        state.payments.set(payment.id, payment);
        const response = { transactionStatus: payment.status, paymentId: payment.id, challengeData: { data: [payment.authorisation.challenge] }, _links: paymentLinks(payment) };
        deps.lifecycle.startPayment(payment);
        reply.header('location', `v1/payments/sepa-credit-transfers/${payment.id}`).header('aspsp-sca-approach', 'DECOUPLED');
        return { status: 201, body: response };
      },
    );
  });

  app.get<{ Params: { paymentId: string } }>('/v1/payments/sepa-credit-transfers/:paymentId', (request, reply) => {
    const payment = state.payments.get(request.params.paymentId);
    if (!payment) return tppError(reply, 404, 'RESOURCE_UNKNOWN', 'The payment is not known.');
    return reply.send(renderPaymentDetails(payment));
  });

  app.get<{ Params: { paymentId: string } }>('/v1/payments/sepa-credit-transfers/:paymentId/status', (request, reply) => {
    const payment = state.payments.get(request.params.paymentId);
    if (!payment) return tppError(reply, 404, 'RESOURCE_UNKNOWN', 'The payment is not known.');
    return reply.send({ transactionStatus: payment.status });
  });

  app.get<{ Params: { paymentId: string } }>('/v1/payments/sepa-credit-transfers/:paymentId/authorisations', (request, reply) => {
    const payment = state.payments.get(request.params.paymentId);
    if (!payment) return tppError(reply, 404, 'RESOURCE_UNKNOWN', 'The payment is not known.');
    return reply.send({ authorisationIds: [payment.authorisation.id] });
  });

  app.get<{ Params: { paymentId: string; authorisationId: string } }>(
    '/v1/payments/sepa-credit-transfers/:paymentId/authorisations/:authorisationId',
    (request, reply) => {
      const payment = state.payments.get(request.params.paymentId);
      if (!payment) return tppError(reply, 404, 'RESOURCE_UNKNOWN', 'The payment is not known.');
      if (payment.authorisation.id !== request.params.authorisationId) return tppError(reply, 404, 'RESOURCE_UNKNOWN', 'The authorisation is not known.');
      return reply.send({ scaStatus: payment.authorisation.scaStatus });
    },
  );
}
