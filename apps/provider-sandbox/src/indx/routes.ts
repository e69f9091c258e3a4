import { namedPlugin } from '../http/named-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { InMemoryReplayStore } from '@finmesh/signing';
import type { SandboxContext } from '../context';
import type { IdempotencyStore } from '../core/idempotency';
import { formatMinor, parseDecimal } from '../core/money';
import { DAY } from '../core/time';
import { decimalField, parseFields, stringField } from '../http/body';
import { idempotent } from '../http/idempotent';
import { installProviderHttp } from '../http/provider-http';
import { singleQueryParam } from '../http/raw-body';
import { verifyIndxCaller } from './auth';
import { indxError, indxErrorBody } from './errors';
import type { IndxLifecycle } from './lifecycle';
import { INDX_TRANSACTION_TYPES, type IndxAccount, type IndxTransactionType, type AccountTransfer, type WireTransfer } from './model';
import { renderAccount, renderBalance, renderDepositLocation, renderExternalAccount, renderTransaction, renderTransfer, renderWire } from './render';
import type { IndxState } from './state';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;
const WIRE_FEES: Readonly<Record<string, bigint>> = { USD: 1_500n, EUR: 1_000n };
const STATUSES = { pending: 'pending', completed: 'booked', failed: 'void' } as const;

export interface IndxDeps {
  ctx: SandboxContext;
  state: IndxState;
  lifecycle: IndxLifecycle;
  idempotency: IdempotencyStore;
}

/** INDX Customer API under its base path (`/v1/...`), every route signed with the X-API-* headers. */
export function indxRoutes(deps: IndxDeps): FastifyPluginAsync {
  const { ctx, state } = deps;
  const replayStore = new InMemoryReplayStore();
  return namedPlugin('indx', (app: FastifyInstance) => {
    installProviderHttp(app, {
      provider: 'indx',
      basePath: ctx.options.basePaths.indx,
      faults: ctx.faults,
      notFound: (request, reply) => indxError(reply, 'not_found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`),
      internalError: (_request, reply) => indxError(reply, 'internal_error', 'An internal error occurred.'),
      clientErrorBody: (message) => indxErrorBody('validation_error', message),
      faultBody: (kind) =>
        kind === 'rate_limited' ? indxErrorBody('rate_limited', 'Rate limit exceeded; retry later.') : indxErrorBody('service_unavailable', 'The service is temporarily unavailable.'),
    });
    app.addHook('preHandler', async (request, reply) => {
      const options = { credentials: ctx.options.indx.credentials, replayStore, maxAgeSeconds: ctx.options.indx.maxAgeSeconds, wallClock: ctx.options.wallClock };
      if (!(await verifyIndxCaller(request, reply, options))) return reply;
      return undefined;
    });

    app.get('/v1/accounts', () => ({ data: [...state.accounts.values()].map(renderAccount) }));

    app.get<{ Params: { accountId: string } }>('/v1/accounts/:accountId/balance', (request, reply) => {
      const account = state.accounts.get(request.params.accountId);
      if (!account) return indxError(reply, 'not_found', `Account ${request.params.accountId} not found.`);
      return reply.send(renderBalance(state, account, ctx.clock.now()));
    });

    app.get<{ Params: { accountId: string } }>('/v1/accounts/:accountId/deposit-locations', (request, reply) => {
      if (!state.accounts.has(request.params.accountId)) return indxError(reply, 'not_found', `Account ${request.params.accountId} not found.`);
      return reply.send({ data: state.depositLocations.filter((location) => location.accountId === request.params.accountId).map(renderDepositLocation) });
    });

    app.get('/v1/external-accounts', () => ({ data: [...state.externalAccounts.values()].map(renderExternalAccount) }));

    app.get('/v1/transactions', (request, reply) => listTransactions(deps, request, reply));

    app.post('/v1/wire-transfers', (request, reply) =>
      idempotent(deps.idempotency, request, reply, 'indx:wire', () => indxError(reply, 'idempotency_conflict', 'This Idempotency-Key was used with a different request.'), () => {
        const body = parseFields(request);
        if (!body.ok) return indxError(reply, 'validation_error', `${body.error}.`);
        const { fields } = body;
        const missing = ['accountId', 'externalAccountId', 'amount', 'currency'].filter((name) => fields[name] === undefined);
        if (missing.length > 0) return indxError(reply, 'validation_error', `Missing required fields: ${missing.join(', ')}.`);
        const account = state.accounts.get(stringField(fields.accountId) ?? '');
        if (!account) return indxError(reply, 'not_found', `Account ${String(fields.accountId)} not found.`);
        const external = state.externalAccounts.get(stringField(fields.externalAccountId) ?? '');
        if (!external) return indxError(reply, 'not_found', `External account ${String(fields.externalAccountId)} not found.`);
        const fee = WIRE_FEES[account.asset.code];
        if (fee === undefined) return indxError(reply, 'validation_error', `Wire transfers are not available from ${account.asset.code} accounts.`);
        if (fields.currency !== account.asset.code || external.currency !== account.asset.code) {
          return indxError(reply, 'validation_error', `currency must be ${account.asset.code}, the currency of the account and of the external account.`);
        }
        const amount = positiveAmount(fields.amount, account);
        if (typeof amount === 'string') return indxError(reply, 'validation_error', amount);
        if (state.book.available(account.id) < amount + fee) {
          return indxError(reply, 'insufficient_funds', `Available balance ${formatMinor(state.book.available(account.id), account.asset.precision)} ${account.asset.code} does not cover ${formatMinor(amount + fee, account.asset.precision)} (amount and fee).`);
        }
        const now = ctx.clock.now();
        const id = state.newId('wire');
        const reference = stringField(fields.reference) ?? id;
        const debit = state.post(account.id, { type: 'wire_out', amount: -amount, description: `Wire to ${external.name}`, at: now, status: 'pending', counterparty: external.name, wireTransferId: id, reference });
        const feeEntry = state.post(account.id, { type: 'fee', amount: -fee, description: 'Outgoing wire fee', at: now, status: 'pending', wireTransferId: id, reference });
        const wire: WireTransfer = {
          id,
          accountId: account.id,
          externalAccountId: external.id,
          amount,
          fee,
          asset: account.asset,
          reference,
          memo: stringField(fields.memo) ?? '',
          status: 'pending',
          createdAt: now,
          updatedAt: now,
          entryIds: [debit.id, feeEntry.id],
        };
        state.wires.set(id, wire);
        deps.lifecycle.startWire(wire);
        return { status: 201, body: renderWire(wire) };
      }),
    );

    app.get<{ Params: { id: string } }>('/v1/wire-transfers/:id', (request, reply) => {
      const wire = state.wires.get(request.params.id);
      if (!wire) return indxError(reply, 'not_found', `Wire transfer ${request.params.id} not found.`);
      return reply.send(renderWire(wire));
    });

    app.post('/v1/transfers', (request, reply) =>
      idempotent(deps.idempotency, request, reply, 'indx:transfer', () => indxError(reply, 'idempotency_conflict', 'This Idempotency-Key was used with a different request.'), () => {
        const body = parseFields(request);
        if (!body.ok) return indxError(reply, 'validation_error', `${body.error}.`);
        const { fields } = body;
        const missing = ['fromAccountId', 'toAccountId', 'amount', 'currency'].filter((name) => fields[name] === undefined);
        if (missing.length > 0) return indxError(reply, 'validation_error', `Missing required fields: ${missing.join(', ')}.`);
        const from = state.accounts.get(stringField(fields.fromAccountId) ?? '');
        if (!from) return indxError(reply, 'not_found', `Account ${String(fields.fromAccountId)} not found.`);
        const to = state.accounts.get(stringField(fields.toAccountId) ?? '');
        if (!to) return indxError(reply, 'not_found', `Account ${String(fields.toAccountId)} not found.`);
        if (from.id === to.id) return indxError(reply, 'validation_error', 'fromAccountId and toAccountId must differ.');
        if (fields.currency !== from.asset.code || to.asset.code !== from.asset.code) {
          return indxError(reply, 'validation_error', `Both accounts must hold ${String(fields.currency)}; transfers do not convert currencies.`);
        }
        const amount = positiveAmount(fields.amount, from);
        if (typeof amount === 'string') return indxError(reply, 'validation_error', amount);
        if (state.book.available(from.id) < amount) {
          return indxError(reply, 'insufficient_funds', `Available balance ${formatMinor(state.book.available(from.id), from.asset.precision)} ${from.asset.code} does not cover ${formatMinor(amount, from.asset.precision)}.`);
        }
        const now = ctx.clock.now();
        const id = state.newId('trf');
        const description = stringField(fields.description) ?? '';
        const debit = state.post(from.id, { type: 'transfer_out', amount: -amount, description: description || `Transfer to ${to.id}`, at: now, status: 'pending', transferId: id, reference: id });
        const transfer: AccountTransfer = { id, fromAccountId: from.id, toAccountId: to.id, amount, asset: from.asset, description, status: 'pending', createdAt: now, updatedAt: now, debitEntryId: debit.id };
        state.transfers.set(id, transfer);
        deps.lifecycle.startTransfer(transfer);
        return { status: 201, body: renderTransfer(transfer) };
      }),
    );

    app.get<{ Params: { id: string } }>('/v1/transfers/:id', (request, reply) => {
      const transfer = state.transfers.get(request.params.id);
      if (!transfer) return indxError(reply, 'not_found', `Transfer ${request.params.id} not found.`);
      return reply.send(renderTransfer(transfer));
    });
    return Promise.resolve();
  });
}

/** Newest first across accounts, filtered by account, type, status and date range, by cursor. */
function listTransactions({ state }: IndxDeps, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const query = {
    accountId: singleQueryParam(request, 'accountId'),
    type: singleQueryParam(request, 'type'),
    status: singleQueryParam(request, 'status'),
    startDate: singleQueryParam(request, 'startDate'),
    endDate: singleQueryParam(request, 'endDate'),
    limit: singleQueryParam(request, 'limit'),
    cursor: singleQueryParam(request, 'cursor'),
  };
  const given: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'object') return indxError(reply, 'validation_error', `${name} may be given once.`);
    given[name] = value;
  }
  if (given.accountId !== undefined && !state.accounts.has(given.accountId)) return indxError(reply, 'not_found', `Account ${given.accountId} not found.`);
  const types = given.type?.split(',');
  const unknownType = types?.find((type) => !INDX_TRANSACTION_TYPES.includes(type as IndxTransactionType));
  if (unknownType !== undefined) return indxError(reply, 'validation_error', `type ${unknownType} is not one of ${INDX_TRANSACTION_TYPES.join(', ')}.`);
  if (given.status !== undefined && !(given.status in STATUSES)) return indxError(reply, 'validation_error', 'status must be pending, completed or failed.');
  const start = parseBound(given.startDate, false);
  const end = parseBound(given.endDate, true);
  if (start === null || end === null) return indxError(reply, 'validation_error', 'startDate and endDate must be ISO 8601 dates or date-times.');
  if (start !== undefined && end !== undefined && start > end) return indxError(reply, 'validation_error', 'startDate is after endDate.');
  const limit = given.limit === undefined ? DEFAULT_PAGE_SIZE : Number(given.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) return indxError(reply, 'validation_error', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  let before = Number.POSITIVE_INFINITY;
  if (given.cursor !== undefined) {
    before = Number(Buffer.from(given.cursor, 'base64url').toString('utf8'));
    if (!Number.isInteger(before) || before < 1) return indxError(reply, 'validation_error', 'cursor is not one this API returned.');
  }
  const wantedStatus = given.status === undefined ? undefined : STATUSES[given.status as keyof typeof STATUSES];
  const page = [];
  let hasMore = false;
  for (let index = state.timeline.length - 1; index >= 0; index -= 1) {
    const entry = state.timeline[index];
    if (!entry || entry.meta.sequence >= before) continue;
    if (given.accountId !== undefined && entry.accountId !== given.accountId) continue;
    if (types !== undefined && !types.includes(entry.kind)) continue;
    if (wantedStatus !== undefined && entry.status !== wantedStatus) continue;
    if ((start !== undefined && entry.createdAt < start) || (end !== undefined && entry.createdAt > end)) continue;
    if (page.length === limit) {
      hasMore = true;
      break;
    }
    page.push(entry);
  }
  const last = page[page.length - 1];
  return reply.send({
    data: page.map(renderTransaction),
    pagination: { limit, hasMore, nextCursor: hasMore && last ? Buffer.from(String(last.meta.sequence)).toString('base64url') : null },
  });
}

/** A date (whole day: start or end of it, UTC) or a date-time; undefined when absent, null when invalid. */
function parseBound(value: string | undefined, endOfDay: boolean): number | undefined | null {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(day) ? null : endOfDay ? day + DAY - 1 : day;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function positiveAmount(value: unknown, account: IndxAccount): bigint | string {
  const text = decimalField(value);
  if (text === undefined) return 'amount must be a decimal string, e.g. "100.00".';
  const parsed = parseDecimal(text, account.asset.precision);
  if (!parsed.ok) {
    return parsed.reason === 'format' ? `amount "${text}" is not a decimal number.` : `amount "${text}" has more decimals than ${account.asset.code} allows (${account.asset.precision}).`;
  }
  if (parsed.minor <= 0n) return 'amount must be greater than zero.';
  return parsed.minor;
}
