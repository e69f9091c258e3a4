import { namedPlugin } from '../http/named-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { verifyBearerToken } from '@finmesh/signing';
import { fiatAsset } from '../core/currencies';
import { parseDecimal, rescaleMinor, type Asset } from '../core/money';
import type { SandboxContext } from '../context';
import { decimalField, parseFields, stringField } from '../http/body';
import { installProviderHttp } from '../http/provider-http';
import { singleQueryParam } from '../http/raw-body';
import { finxError } from './errors';
import { renderFinxAccount } from './render';
import type { FinxState } from './state';

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;

export function finxRoutes(ctx: SandboxContext, state: FinxState): FastifyPluginAsync {
  return namedPlugin('finx', (app: FastifyInstance) => {
    installProviderHttp(app, {
      provider: 'finx',
      basePath: ctx.options.basePaths.finx,
      faults: ctx.faults,
      notFound: (request, reply) => finxError(reply, 404, `No route ${request.method} ${request.url.split('?')[0] ?? ''}`),
      internalError: (_request, reply) => finxError(reply, 500, 'Something went wrong on our side.'),
      clientErrorBody: (message) => ({ type: 'invalid_request', message }),
      faultBody: (kind) => ({
        type: 'api_error',
        message: kind === 'rate_limited' ? 'Too many requests.' : 'The service is temporarily unavailable.',
      }),
    });

    app.addHook('preHandler', (request, reply, done) => {
      const verification = verifyBearerToken(request.headers, ctx.options.finx.tokens);
      if (verification.ok) {
        done();
        return;
      }
      finxError(reply.header('www-authenticate', 'Bearer'), 401, `Missing or invalid bearer token: ${verification.detail}.`);
    });

    app.get('/v1/accounts', (request, reply) => listAccounts(state, request, reply));

    app.post('/v1/accounts', (request, reply) => {
      const body = parseFields(request);
      if (!body.ok) return finxError(reply, 400, body.error);
      const { fields } = body;
      const missing = ['type', 'balance', 'currency', 'owner_id'].filter((name) => fields[name] === undefined);
      if (missing.length > 0) return finxError(reply, 400, `Missing required attributes: ${missing.join(', ')}.`);
      const type = stringField(fields.type);
      const ownerId = stringField(fields.owner_id);
      if (!type) return finxError(reply, 400, 'type must be a non-empty string.');
      if (!ownerId) return finxError(reply, 400, 'owner_id must be a non-empty string.');
      const assetValue = currencyOf(fields.currency);
      if (!assetValue) return finxError(reply, 400, `currency ${String(fields.currency)} is not supported.`);
      const balance = amountOf(fields.balance, assetValue);
      if (typeof balance === 'string') return finxError(reply, 400, balance);
      const account = state.create({ type, ownerId, asset: assetValue, balance, at: ctx.clock.now() });
      return reply.code(200).send(renderFinxAccount(state, account));
    });

    app.get<{ Params: { id: string } }>('/v1/accounts/:id', (request, reply) => {
      const account = state.get(request.params.id);
      if (!account) return finxError(reply, 404, `No account with id ${request.params.id}.`);
      return reply.send(renderFinxAccount(state, account));
    });

    app.put<{ Params: { id: string } }>('/v1/accounts/:id', (request, reply) => {
      const account = state.get(request.params.id);
      if (!account) return finxError(reply, 404, `No account with id ${request.params.id}.`);
      const body = parseFields(request);
      if (!body.ok) return finxError(reply, 400, body.error);
      const { fields } = body;
      const change: { type?: string; asset?: Asset; balance?: bigint; at: number } = { at: ctx.clock.now() };
      if (fields.type !== undefined) {
        const type = stringField(fields.type);
        if (!type) return finxError(reply, 400, 'type must be a non-empty string.');
        change.type = type;
      }
      if (fields.currency !== undefined) {
        const assetValue = currencyOf(fields.currency);
        if (!assetValue) return finxError(reply, 400, `currency ${String(fields.currency)} is not supported.`);
        change.asset = assetValue;
      }
      const target = change.asset ?? state.asset(account.id);
      if (fields.balance !== undefined) {
        const balance = amountOf(fields.balance, target);
        if (typeof balance === 'string') return finxError(reply, 400, balance);
        change.balance = balance;
      } else if (change.asset !== undefined && !carriesExactly(state.balance(account.id), state.asset(account.id), target)) {
        return finxError(reply, 400, `The balance cannot be expressed in ${target.code}; send a balance with the new currency.`);
      }
      return reply.send(renderFinxAccount(state, state.update(account.id, change)));
    });

    app.delete<{ Params: { id: string } }>('/v1/accounts/:id', (request, reply) => {
      if (!state.get(request.params.id)) return finxError(reply, 404, `No account with id ${request.params.id}.`);
      state.delete(request.params.id, ctx.clock.now());
      return reply.code(204).send();
    });
    return Promise.resolve();
  });
}

function listAccounts(state: FinxState, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const limitText = singleQueryParam(request, 'limit');
  const type = singleQueryParam(request, 'type');
  const ownerId = singleQueryParam(request, 'owner_id');
  const startingAfter = singleQueryParam(request, 'starting_after');
  for (const [name, value] of Object.entries({ limit: limitText, type, owner_id: ownerId, starting_after: startingAfter })) {
    if (typeof value === 'object') return finxError(reply, 400, `${name} is given more than once.`);
  }
  let limit = DEFAULT_PAGE_SIZE;
  if (typeof limitText === 'string') {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_PAGE_SIZE) {
      return finxError(reply, 400, `limit must be an integer between 1 and ${MAX_PAGE_SIZE}.`);
    }
    limit = Number(limitText);
  }
  let accounts = state.list().filter(
    (account) =>
      (typeof type !== 'string' || account.type === type) && (typeof ownerId !== 'string' || account.ownerId === ownerId),
  );
  if (typeof startingAfter === 'string') {
    const index = accounts.findIndex((account) => account.id === startingAfter);
    if (index < 0) return finxError(reply, 400, `starting_after ${startingAfter} is not an account in this list.`);
    accounts = accounts.slice(index + 1);
  }
  const page = accounts.slice(0, limit);
  return reply.send({ has_more: accounts.length > limit, data: page.map((account) => renderFinxAccount(state, account)) });
}

function currencyOf(value: unknown): Asset | undefined {
  return typeof value === 'string' && /^[A-Za-z]{3}$/.test(value) ? fiatAsset(value) : undefined;
}

/** Minor units of a balance, or the error message. */
function amountOf(value: unknown, assetValue: Asset): bigint | string {
  const text = decimalField(value);
  if (text === undefined) return 'balance must be a number.';
  const parsed = parseDecimal(text, assetValue.precision);
  if (!parsed.ok) {
    return parsed.reason === 'format'
      ? `balance ${text} is not a decimal number.`
      : `balance ${text} has more decimals than ${assetValue.code} allows (${assetValue.precision}).`;
  }
  if (parsed.minor < 0n) return 'balance must not be negative.';
  return parsed.minor;
}

function carriesExactly(minor: bigint, from: Asset, to: Asset): boolean {
  return rescaleMinor(rescaleMinor(minor, from.precision, to.precision), to.precision, from.precision) === minor;
}
