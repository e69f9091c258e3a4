import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { iso, isoDate, parseIsoDate, DAY, startOfDay } from '../core/time';
import { singleQueryParam } from '../http/raw-body';
import { currentStatus } from './consent-routes';
import type { IndexoDeps } from './deps';
import { tppError } from './errors';
import type { Consent, IndexoAccount } from './model';
import { amountJson, renderAccount, renderTransaction } from './render';

const PAGE_SIZE = 100;
type AccessKind = 'accounts' | 'balances' | 'transactions';

/** Account information under a valid consent (`Consent-ID` header). */
export function registerAccountRoutes(app: FastifyInstance, deps: IndexoDeps): void {
  const { state, ctx } = deps;

  app.get('/v1/accounts', (request, reply) => {
    const consent = validConsent(deps, request, reply);
    if (!consent) return reply;
    const withBalance = singleQueryParam(request, 'withBalance') === 'true';
    const accounts = accessibleAccounts(deps, consent, 'accounts').map((account) => ({
      ...renderAccount(account),
      ...(withBalance && covers(consent, 'balances', account) ? { balances: balances(deps, account) } : {}),
    }));
    return reply.send({ accounts });
  });

  app.get<{ Params: { accountId: string } }>('/v1/accounts/:accountId', (request, reply) => {
    const access = accountUnderConsent(deps, request, reply, request.params.accountId, 'accounts');
    if (!access) return reply;
    return reply.send({ account: renderAccount(access.account) });
  });

  app.get<{ Params: { accountId: string } }>('/v1/accounts/:accountId/balances', (request, reply) => {
    const access = accountUnderConsent(deps, request, reply, request.params.accountId, 'balances');
    if (!access) return reply;
    return reply.send({ account: { iban: access.account.iban, currency: access.account.currency }, balances: balances(deps, access.account) });
  });

  app.get<{ Params: { accountId: string } }>('/v1/accounts/:accountId/transactions', (request, reply) => {
    const access = accountUnderConsent(deps, request, reply, request.params.accountId, 'transactions');
    if (!access) return reply;
    const bookingStatus = singleQueryParam(request, 'bookingStatus');
    const dateFromText = singleQueryParam(request, 'dateFrom');
    const dateToText = singleQueryParam(request, 'dateTo');
    const pageText = singleQueryParam(request, 'page');
    if (bookingStatus !== 'booked' && bookingStatus !== 'pending' && bookingStatus !== 'both') {
      return tppError(reply, 400, 'FORMAT_ERROR', 'bookingStatus is required: booked, pending or both.');
    }
    if (typeof dateFromText !== 'string' && bookingStatus !== 'pending') {
      return tppError(reply, 400, 'FORMAT_ERROR', 'dateFrom (YYYY-MM-DD) is required for booked transactions.');
    }
    const dateFrom = typeof dateFromText === 'string' ? parseIsoDate(dateFromText) : 0;
    const dateTo = typeof dateToText === 'string' ? parseIsoDate(dateToText) : startOfDay(ctx.clock.now());
    if (dateFrom === undefined || dateTo === undefined || (dateToText !== undefined && typeof dateToText !== 'string')) {
      return tppError(reply, 400, 'FORMAT_ERROR', 'dateFrom and dateTo must be dates (YYYY-MM-DD).');
    }
    if (dateFrom > dateTo) return tppError(reply, 400, 'FORMAT_ERROR', 'dateFrom is after dateTo.');
    const page = pageText === undefined ? 1 : Number(pageText);
    if (!Number.isInteger(page) || page < 1) return tppError(reply, 400, 'FORMAT_ERROR', 'page must be a positive integer.');

    const entries = state.book.entries(access.account.resourceId);
    const booked = bookingStatus === 'pending' ? [] : entries.filter((entry) => entry.status === 'booked' && entry.settledAt !== undefined && entry.settledAt >= dateFrom && entry.settledAt < dateTo + DAY).reverse();
    const pending = bookingStatus === 'booked' ? [] : entries.filter((entry) => entry.status === 'pending').reverse();
    const all = [...booked.map((entry) => ({ entry, booked: true })), ...pending.map((entry) => ({ entry, booked: false }))];
    const slice = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const base = `v1/accounts/${access.account.resourceId}`;
    const query = new URLSearchParams({
      ...(typeof dateFromText === 'string' ? { dateFrom: dateFromText } : {}),
      ...(typeof dateToText === 'string' ? { dateTo: dateToText } : {}),
      bookingStatus,
    });
    const links: Record<string, { href: string }> = { account: { href: base } };
    if (page * PAGE_SIZE < all.length) links.next = { href: `${base}/transactions?${query.toString()}&page=${page + 1}` };
    return reply.send({
      account: { iban: access.account.iban, currency: access.account.currency },
      transactions: {
        booked: slice.filter((item) => item.booked).map((item) => renderTransaction(item.entry)),
        pending: slice.filter((item) => !item.booked).map((item) => renderTransaction(item.entry)),
        _links: links,
      },
    });
  });
}

/** closingBooked (end of the previous day), interimBooked (now) and interimAvailable. */
function balances(deps: IndexoDeps, account: IndexoAccount): Record<string, unknown>[] {
  const { book } = deps.state;
  const now = deps.ctx.clock.now();
  const today = startOfDay(now);
  const bookedToday = book
    .entries(account.resourceId)
    .filter((entry) => entry.status === 'booked' && entry.settledAt !== undefined && entry.settledAt >= today)
    .reduce((sum, entry) => sum + entry.amount, 0n);
  const booked = book.balance(account.resourceId);
  return [
    { balanceType: 'closingBooked', balanceAmount: amountJson(booked - bookedToday), referenceDate: isoDate(today - DAY) },
    { balanceType: 'interimBooked', balanceAmount: amountJson(booked), referenceDate: isoDate(now) },
    { balanceType: 'interimAvailable', balanceAmount: amountJson(book.available(account.resourceId)), lastChangeDateTime: iso(now) },
  ];
}

function validConsent(deps: IndexoDeps, request: FastifyRequest, reply: FastifyReply): Consent | undefined {
  const consentId = request.headers['consent-id'];
  if (typeof consentId !== 'string' || consentId === '') {
    tppError(reply, 400, 'FORMAT_ERROR', 'Header Consent-ID is missing.');
    return undefined;
  }
  const consent = deps.state.consents.get(consentId);
  if (!consent) {
    tppError(reply, 400, 'CONSENT_UNKNOWN', 'The Consent-ID is not known.');
    return undefined;
  }
  const status = currentStatus(consent, deps.ctx.clock.now());
  if (status === 'expired') {
    tppError(reply, 401, 'CONSENT_EXPIRED', `The consent expired after ${consent.validUntil}.`);
    return undefined;
  }
  if (status !== 'valid') {
    tppError(reply, 401, 'CONSENT_INVALID', `The consent is ${status}, not valid.`);
    return undefined;
  }
  consent.lastActionAt = deps.ctx.clock.now();
  return consent;
}

function accountUnderConsent(
  deps: IndexoDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  accountId: string,
  kind: AccessKind,
): { consent: Consent; account: IndexoAccount } | undefined {
  const consent = validConsent(deps, request, reply);
  if (!consent) return undefined;
  const account = deps.state.accounts.get(accountId);
  if (!account || account.psuId !== consent.psuId || !covers(consent, 'accounts', account)) {
    tppError(reply, 404, 'RESOURCE_UNKNOWN', 'The account is not known under this consent.');
    return undefined;
  }
  if (!covers(consent, kind, account)) {
    tppError(reply, 401, 'CONSENT_INVALID', `The consent does not give ${kind} access to this account.`);
    return undefined;
  }
  return { consent, account };
}

function covers(consent: Consent, kind: AccessKind, account: IndexoAccount): boolean {
  return consent.allAccounts ? account.psuId === consent.psuId : consent.access[kind].includes(account.iban);
}

function accessibleAccounts(deps: IndexoDeps, consent: Consent, kind: AccessKind): IndexoAccount[] {
  return deps.state.psuAccounts(consent.psuId).filter((account) => covers(consent, kind, account));
}
