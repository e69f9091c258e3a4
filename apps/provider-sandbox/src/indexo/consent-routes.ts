import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DAY, isoDate, parseIsoDate } from '../core/time';
import { describeIssues, integerValue, parseJson } from '../http/json';
import { bodyText, headerValue } from '../http/raw-body';
import { psuAccountByIban } from './accounts-on-demand';
import { callerOf, type IndexoDeps } from './deps';
import { tppError } from './errors';
import { SANDBOX_CHALLENGE, type Consent } from './model';
import { parseNotificationTarget } from './notifications';
import { consentLinks } from './render';

const accountReferences = z.array(z.object({ iban: z.string() })).optional();
const consentRequest = z.object({
  access: z.object({ accounts: accountReferences, balances: accountReferences, transactions: accountReferences }),
  recurringIndicator: z.boolean(),
  validUntil: z.string(),
  frequencyPerDay: integerValue.pipe(z.number().int().min(0)),
  combinedServiceIndicator: z.boolean().optional(),
});

/** Consent resources: create (decoupled SCA starts), read, status, authorisations, delete. */
export function registerConsentRoutes(app: FastifyInstance, deps: IndexoDeps): void {
  const { state, ctx, random } = deps;

  app.post('/v1/consents', (request, reply) => {
    const caller = callerOf(request);
    const json = parseJson(bodyText(request));
    if (!json.ok) return tppError(reply, 400, 'FORMAT_ERROR', 'The body is not valid JSON.');
    const parsed = consentRequest.safeParse(json.value);
    if (!parsed.success) return tppError(reply, 400, 'FORMAT_ERROR', describeIssues(parsed.error));
    const body = parsed.data;
    const notification = parseNotificationTarget(
      headerValue(request.headers['tpp-notification-uri']),
      headerValue(request.headers['tpp-notification-content-preferred']),
    );
    if (notification === 'invalid') return tppError(reply, 400, 'FORMAT_ERROR', 'TPP-Notification-URI or TPP-Notification-Content-Preferred is malformed.');

    const today = parseIsoDate(isoDate(ctx.clock.now())) ?? 0;
    const validUntilDay = parseIsoDate(body.validUntil.slice(0, 10));
    if (validUntilDay === undefined || !/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(body.validUntil)) {
      return tppError(reply, 400, 'FORMAT_ERROR', 'validUntil must be a date (YYYY-MM-DD).');
    }
    if (validUntilDay < today) return tppError(reply, 400, 'FORMAT_ERROR', `validUntil ${body.validUntil} is in the past.`);

    const requireChecksum = !ctx.options.indexo.sandboxRules;
    const access = { accounts: [] as string[], balances: [] as string[], transactions: [] as string[] };
    for (const kind of ['accounts', 'balances', 'transactions'] as const) {
      for (const reference of body.access[kind] ?? []) {
        const account = psuAccountByIban(deps, caller.psuId, reference.iban, requireChecksum);
        if (typeof account === 'string') return tppError(reply, 400, 'FORMAT_ERROR', account);
        if (!access[kind].includes(account.iban)) access[kind].push(account.iban);
        // Balance or transaction access implies access to the account itself.
        if (kind !== 'accounts' && !access.accounts.includes(account.iban)) access.accounts.push(account.iban);
      }
    }
    const now = ctx.clock.now();
    const consent: Consent = {
      id: random.uuid(),
      psuId: caller.psuId,
      access,
      allAccounts: access.accounts.length === 0,
      recurringIndicator: body.recurringIndicator,
      validUntil: body.validUntil,
      validUntilMs: validUntilDay + DAY - 1,
      frequencyPerDay: body.frequencyPerDay,
      status: 'received',
      authorisation: { id: random.uuid(), scaStatus: 'received', challenge: ctx.options.indexo.sandboxRules ? SANDBOX_CHALLENGE : random.digits(5) },
      createdAt: now,
      lastActionAt: now,
      ...(notification === undefined ? {} : { notification }),
    };
    state.consents.set(consent.id, consent);
    deps.lifecycle.startConsent(consent);
    return reply
      .code(201)
      .header('location', `v1/consents/${consent.id}`)
      .header('aspsp-sca-approach', 'DECOUPLED')
      .send({ consentStatus: consent.status, consentId: consent.id, challengeData: { data: [consent.authorisation.challenge] }, _links: consentLinks(consent) });
  });

  app.get<{ Params: { consentId: string } }>('/v1/consents/:consentId', (request, reply) => {
    const consent = state.consents.get(request.params.consentId);
    if (!consent) return tppError(reply, 403, 'CONSENT_UNKNOWN', 'The consent is not known.');
    const accessJson = (ibans: string[]): Array<{ iban: string }> => ibans.map((iban) => ({ iban }));
    return reply.send({
      access: consent.allAccounts
        ? { accounts: [], balances: [], transactions: [] }
        : { accounts: accessJson(consent.access.accounts), balances: accessJson(consent.access.balances), transactions: accessJson(consent.access.transactions) },
      recurringIndicator: consent.recurringIndicator,
      validUntil: consent.validUntil,
      frequencyPerDay: consent.frequencyPerDay,
      lastActionDate: isoDate(consent.lastActionAt),
      consentStatus: currentStatus(consent, ctx.clock.now()),
    });
  });

  app.get<{ Params: { consentId: string } }>('/v1/consents/:consentId/status', (request, reply) => {
    const consent = state.consents.get(request.params.consentId);
    if (!consent) return tppError(reply, 403, 'CONSENT_UNKNOWN', 'The consent is not known.');
    return reply.send({ consentStatus: currentStatus(consent, ctx.clock.now()) });
  });

  app.get<{ Params: { consentId: string } }>('/v1/consents/:consentId/authorisations', (request, reply) => {
    const consent = state.consents.get(request.params.consentId);
    if (!consent) return tppError(reply, 403, 'CONSENT_UNKNOWN', 'The consent is not known.');
    return reply.send({ authorisationIds: [consent.authorisation.id] });
  });

  app.get<{ Params: { consentId: string; authorisationId: string } }>('/v1/consents/:consentId/authorisations/:authorisationId', (request, reply) => {
    const consent = state.consents.get(request.params.consentId);
    if (!consent) return tppError(reply, 403, 'CONSENT_UNKNOWN', 'The consent is not known.');
    if (consent.authorisation.id !== request.params.authorisationId) return tppError(reply, 404, 'RESOURCE_UNKNOWN', 'The authorisation is not known.');
    return reply.send({ scaStatus: consent.authorisation.scaStatus });
  });

  app.delete<{ Params: { consentId: string } }>('/v1/consents/:consentId', (request, reply) => {
    const consent = state.consents.get(request.params.consentId);
    if (!consent) return tppError(reply, 403, 'CONSENT_UNKNOWN', 'The consent is not known.');
    consent.status = 'terminatedByTpp';
    consent.lastActionAt = ctx.clock.now();
    return reply.code(204).send();
  });
}

/** A valid consent past its validUntil day reads as expired. */
export function currentStatus(consent: Consent, now: number): Consent['status'] {
  if (consent.status === 'valid' && now > consent.validUntilMs) consent.status = 'expired';
  return consent.status;
}
