import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BookEntry } from '../core/book';
import { formatMinor } from '../core/money';
import { iso } from '../core/time';
import { parseFields, stringField } from '../http/body';
import { singleQueryParam } from '../http/raw-body';
import { positiveAmount } from './amounts';
import type { FindigiDeps } from './deps';
import { findigiError, REQUIRED_INPUT_MESSAGE } from './errors';
import type { FiatEntryMeta, FiatWallet, FindigiClient } from './model';
import { renderTransfer, renderWallet, renderWalletBalances } from './render';
import { createInWorkspace, resolveClient } from './request-context';
import { insufficientFunds, registerTransferLookup } from './transfer-routes';
import { openWallet, walletCurrencyFor } from './seed';

const DEFAULT_HISTORY_LIMIT = 50;
const MAX_HISTORY_LIMIT = 200;

/** Fiat wallets, their balances, virtual accounts and history, and internal wallet transfers. */
export function registerWalletRoutes(app: FastifyInstance, deps: FindigiDeps): void {
  const { state, ctx } = deps;
  const walletIds = ctx.random.fork('findigi/wallet-accounts');

  app.get('/api/wallets', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    return reply.send({ ok: true, wallets: state.walletsOf(workspace.client.id).map((wallet) => renderWallet(state, wallet)) });
  });

  app.post('/api/wallets', (request, reply) => {
    const body = parseFields(request);
    if (!body.ok) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} ${body.error}.`);
    const workspace = resolveClient(request, reply, state, body.fields.client_id);
    if (!workspace) return reply;
    const currency = walletCurrencyFor(stringField(body.fields.currency) ?? '');
    if (!currency) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} currency must be one of IDR, SGD, USD.`);
    const isFirst = state.walletsOf(workspace.client.id).length === 0;
    const wallet = openWallet(state, walletIds, workspace.client.id, currency, isFirst, ctx.clock.now());
    return reply.code(201).send({ ok: true, wallet: renderWallet(state, wallet) });
  });

  app.get<{ Params: { id: string } }>('/api/wallets/:id', (request, reply) => {
    const wallet = walletInWorkspace(deps, request, reply, request.params.id);
    if (!wallet) return reply;
    return reply.send({ ok: true, wallet: renderWallet(state, wallet) });
  });

  app.get<{ Params: { id: string } }>('/api/wallets/:id/balances', (request, reply) => {
    const wallet = walletInWorkspace(deps, request, reply, request.params.id);
    if (!wallet) return reply;
    return reply.send(renderWalletBalances(state, wallet, ctx.clock.now()));
  });

  app.get<{ Params: { id: string } }>('/api/wallets/:id/accounts', (request, reply) => {
    const wallet = walletInWorkspace(deps, request, reply, request.params.id);
    if (!wallet) return reply;
    return reply.send({
      ok: true,
      wallet_id: wallet.id,
      accounts: wallet.virtualAccounts.map((account) => ({
        type: 'virtual_account',
        bank_code: account.bankCode,
        account_number: account.accountNumber,
        account_name: account.accountName,
        currency: wallet.asset.code,
      })),
    });
  });

  app.get<{ Params: { id: string } }>('/api/wallets/:id/history', (request, reply) => {
    const wallet = walletInWorkspace(deps, request, reply, request.params.id);
    if (!wallet) return reply;
    return walletHistory(deps, wallet, request, reply);
  });

  app.post<{ Params: { id: string } }>('/api/wallets/:id/make-primary', (request, reply) => {
    const body = parseFields(request);
    const wallet = walletInWorkspace(deps, request, reply, request.params.id, body.ok ? body.fields.client_id : undefined);
    if (!wallet) return reply;
    for (const other of state.walletsOf(wallet.clientId)) other.isPrimary = other.id === wallet.id;
    wallet.updatedAt = ctx.clock.now();
    return reply.send({ ok: true, wallet: renderWallet(state, wallet) });
  });

  app.post('/api/wallets/transfers', (request, reply) => {
    return createInWorkspace(request, reply, state, deps.idempotency, 'wallet_transfer', ({ fields, workspace, user }) => {
      const sourceId = stringField(fields.source_wallet_id);
      const destinationId = stringField(fields.destination_wallet_id);
      if (!sourceId || !destinationId) {
        return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} source_wallet_id and destination_wallet_id are required.`);
      }
      const source = ownWallet(state.wallets.get(sourceId), workspace.client);
      if (!source) return findigiError(reply, 'NOT_FOUND', `Wallet ${sourceId} was not found in this workspace.`);
      const destination = state.wallets.get(destinationId);
      if (!destination) return findigiError(reply, 'NOT_FOUND', `Wallet ${destinationId} was not found.`);
      if (destination.id === source.id) return findigiError(reply, 'VALIDATION_ERROR', 'Source and destination wallets must differ.');
      if (destination.asset.code !== source.asset.code) {
        return findigiError(reply, 'VALIDATION_ERROR', `Wallet currencies differ (${source.asset.code} → ${destination.asset.code}).`);
      }
      const amount = positiveAmount(fields.amount, source.asset);
      if (typeof amount === 'string') return findigiError(reply, 'VALIDATION_ERROR', amount);
      if (state.fiat.available(source.id) < amount) return insufficientFunds(deps, source, reply);
      const description = stringField(fields.description) ?? '';
      const transfer = deps.transfers.createWalletTransfer({ client: workspace.client, userId: user.id, source, destination, amount, description });
      return { status: 201, body: { ok: true, transfer: renderTransfer(transfer) } };
    });
  });

  registerTransferLookup(app, deps, '/api/wallets/transfers', 'wallet_transfer', 'Wallet transfer', 'transfer');
}

function ownWallet(wallet: FiatWallet | undefined, client: FindigiClient): FiatWallet | undefined {
  return wallet?.clientId === client.id ? wallet : undefined;
}

function walletInWorkspace(
  { state }: FindigiDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  walletId: string,
  bodyClientId?: unknown,
): FiatWallet | undefined {
  const workspace = resolveClient(request, reply, state, bodyClientId);
  if (!workspace) return undefined;
  const wallet = ownWallet(state.wallets.get(walletId), workspace.client);
  if (!wallet) findigiError(reply, 'NOT_FOUND', `Wallet ${walletId} was not found in this workspace.`);
  return wallet;
}

/** Newest first, `limit` per page, `cursor` from the previous page; `from`/`to` bound created_at. */
function walletHistory(deps: FindigiDeps, wallet: FiatWallet, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const params = { limit: singleQueryParam(request, 'limit'), cursor: singleQueryParam(request, 'cursor'), from: singleQueryParam(request, 'from'), to: singleQueryParam(request, 'to'), type: singleQueryParam(request, 'type') };
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'object') return findigiError(reply, 'VALIDATION_ERROR', `${name} is given more than once.`);
  }
  const limit = params.limit === undefined ? DEFAULT_HISTORY_LIMIT : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
    return findigiError(reply, 'VALIDATION_ERROR', `limit must be an integer from 1 to ${MAX_HISTORY_LIMIT}.`);
  }
  const from = params.from === undefined ? undefined : Date.parse(String(params.from));
  const to = params.to === undefined ? undefined : Date.parse(String(params.to));
  if ((from !== undefined && Number.isNaN(from)) || (to !== undefined && Number.isNaN(to))) {
    return findigiError(reply, 'VALIDATION_ERROR', 'from and to must be ISO 8601 dates.');
  }
  const entries = deps.state.fiat.entries(wallet.id);
  let start = entries.length - 1;
  if (params.cursor !== undefined) {
    const decoded = Number(Buffer.from(String(params.cursor), 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < -1 || decoded >= entries.length) {
      return findigiError(reply, 'VALIDATION_ERROR', 'cursor is not one this API returned.');
    }
    start = decoded;
  }
  const items: Record<string, unknown>[] = [];
  let index = start;
  for (; index >= 0 && items.length < limit; index -= 1) {
    const entry = entries[index];
    if (!entry) continue;
    if (from !== undefined && entry.createdAt < from) continue;
    if (to !== undefined && entry.createdAt > to) continue;
    if (params.type !== undefined && entry.kind !== params.type) continue;
    items.push(renderHistoryItem(wallet, entry));
  }
  const more = index >= 0;
  return reply.send({ ok: true, wallet_id: wallet.id, items, next_cursor: more ? Buffer.from(String(index)).toString('base64url') : null });
}

function renderHistoryItem(wallet: FiatWallet, entry: BookEntry<FiatEntryMeta>): Record<string, unknown> {
  const precision = entry.asset.precision;
  return {
    id: entry.id,
    wallet_id: wallet.id,
    type: entry.kind,
    direction: entry.amount < 0n ? 'debit' : 'credit',
    amount: formatMinor(entry.amount < 0n ? -entry.amount : entry.amount, precision),
    currency: entry.asset.code,
    status: entry.status === 'booked' ? 'completed' : entry.status === 'pending' ? 'pending' : 'cancelled',
    balance_after: entry.balanceAfter === undefined ? null : formatMinor(entry.balanceAfter, precision),
    reference_type: entry.meta.referenceType,
    reference_id: entry.meta.referenceId,
    description: entry.description,
    created_at: iso(entry.createdAt),
    completed_at: entry.status === 'booked' && entry.settledAt !== undefined ? iso(entry.settledAt) : null,
  };
}
