import type { FastifyInstance } from 'fastify';
import { singleQueryParam } from '../http/raw-body';
import type { FindigiDeps } from './deps';
import { findigiError } from './errors';
import { renderVaultBalances, renderVaultTransaction, renderVaultWallet } from './render';
import { resolveClient } from './request-context';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** FinVault (custodial crypto) wallets, their balances and their on-chain transactions. */
export function registerFinvaultRoutes(app: FastifyInstance, { state }: FindigiDeps): void {
  app.get('/api/finvault/wallets', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    return reply.send({ ok: true, wallets: state.vaultWalletsOf(workspace.client.id).map(renderVaultWallet) });
  });

  app.get<{ Params: { walletId: string } }>('/api/finvault/wallets/:walletId', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const wallet = state.vaultWallets.get(request.params.walletId);
    if (!wallet || wallet.clientId !== workspace.client.id) {
      return findigiError(reply, 'NOT_FOUND', `FinVault wallet ${request.params.walletId} was not found in this workspace.`);
    }
    return reply.send({ ok: true, wallet: renderVaultWallet(wallet) });
  });

  app.get<{ Params: { walletId: string } }>('/api/finvault/wallets/:walletId/balances', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const wallet = state.vaultWallets.get(request.params.walletId);
    if (!wallet || wallet.clientId !== workspace.client.id) {
      return findigiError(reply, 'NOT_FOUND', `FinVault wallet ${request.params.walletId} was not found in this workspace.`);
    }
    return reply.send({ ok: true, wallet_id: wallet.id, balances: renderVaultBalances(state, wallet) });
  });

  app.get('/api/finvault/transactions', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const walletId = singleQueryParam(request, 'wallet_id');
    const limitText = singleQueryParam(request, 'limit');
    const cursor = singleQueryParam(request, 'cursor');
    if (typeof walletId === 'object' || typeof limitText === 'object' || typeof cursor === 'object') {
      return findigiError(reply, 'VALIDATION_ERROR', 'Query parameters may be given once each.');
    }
    const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return findigiError(reply, 'VALIDATION_ERROR', `limit must be an integer from 1 to ${MAX_LIMIT}.`);
    }
    // Newest first; the cursor is the id of the last transaction of the previous page.
    const all = [...state.vaultTransactions.values()]
      .filter((transaction) => transaction.clientId === workspace.client.id && (walletId === undefined || transaction.walletId === walletId))
      .reverse();
    let start = 0;
    if (cursor !== undefined) {
      start = all.findIndex((transaction) => transaction.id === cursor) + 1;
      if (start === 0) return findigiError(reply, 'VALIDATION_ERROR', 'cursor is not one this API returned.');
    }
    const page = all.slice(start, start + limit);
    const last = page[page.length - 1];
    return reply.send({
      ok: true,
      transactions: page.map(renderVaultTransaction),
      next_cursor: start + limit < all.length && last ? last.id : null,
    });
  });

  app.get<{ Params: { transactionId: string } }>('/api/finvault/transactions/:transactionId', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const transaction = state.vaultTransactions.get(request.params.transactionId);
    if (!transaction || transaction.clientId !== workspace.client.id) {
      return findigiError(reply, 'NOT_FOUND', `FinVault transaction ${request.params.transactionId} was not found in this workspace.`);
    }
    return reply.send({ ok: true, transaction: renderVaultTransaction(transaction) });
  });
}
