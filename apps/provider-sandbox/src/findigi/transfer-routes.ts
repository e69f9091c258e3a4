import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatMinor } from '../core/money';
import { stringField } from '../http/body';
import type { FindigiDeps } from './deps';
import { findigiError, REQUIRED_INPUT_MESSAGE } from './errors';
import type { FiatWallet, FindigiClient, Transfer } from './model';
import { renderTransfer } from './render';
import { resolveClient } from './request-context';

/**
 * `GET <path>/:id` for one kind of transfer: 404 unless it exists, is of that kind and belongs to
 * the request's workspace. `field` names it in the answer (`transfer`, `payout`).
 */
export function registerTransferLookup(app: FastifyInstance, { state }: FindigiDeps, path: string, kind: Transfer['kind'], label: string, field: string): void {
  app.get<{ Params: { id: string } }>(`${path}/:id`, (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const transfer = state.transfers.get(request.params.id);
    if (!transfer || transfer.kind !== kind || transfer.clientId !== workspace.client.id) {
      return findigiError(reply, 'NOT_FOUND', `${label} ${request.params.id} was not found in this workspace.`);
    }
    return reply.send({ ok: true, [field]: renderTransfer(transfer) });
  });
}

/** FinDIGI's answer when a wallet cannot cover an amount (holds of pending transfers count). */
export function insufficientFunds({ state }: FindigiDeps, source: FiatWallet, reply: FastifyReply): FastifyReply {
  const available = formatMinor(state.fiat.available(source.id), source.asset.precision);
  return findigiError(reply, 'INSUFFICIENT_FUNDS', `Wallet ${source.id} has ${available} ${source.asset.code} available.`);
}

/** The workspace's wallet a transfer is paid from; answers 400 or 404 and returns undefined otherwise. */
export function sourceWallet({ state }: FindigiDeps, client: FindigiClient, value: unknown, reply: FastifyReply): FiatWallet | undefined {
  const sourceId = stringField(value);
  if (!sourceId) {
    findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} source_wallet_id is required.`);
    return undefined;
  }
  const source = state.wallets.get(sourceId);
  if (!source || source.clientId !== client.id) {
    findigiError(reply, 'NOT_FOUND', `Wallet ${sourceId} was not found in this workspace.`);
    return undefined;
  }
  return source;
}
