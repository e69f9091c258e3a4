import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseFields, stringField } from '../http/body';
import { positiveAmount } from './amounts';
import type { FindigiDeps } from './deps';
import { findigiError, REQUIRED_INPUT_MESSAGE } from './errors';
import type { BatchTransfer, SavedBank } from './model';
import { savedBankFor } from './payout-routes';
import { insufficientFunds, sourceWallet } from './transfer-routes';
import { renderBatch, renderTransfer } from './render';
import { createInWorkspace, resolveClient } from './request-context';

const MAX_ITEMS = 500;

/**
 * Batch transfers: bulk payouts from one wallet to saved bank accounts (`beneficiary_id`), approved
 * as one in a maker-checker workspace, run at once (`immediate`) or at `scheduled_at`; each item is
 * a payout of its own (`/api/fiat/payout/:id` and `payout.<status>` webhooks).
 */
export function registerBatchRoutes(app: FastifyInstance, deps: FindigiDeps): void {
  const { state, ctx, transfers } = deps;
  const render = (batch: BatchTransfer): Record<string, unknown> => renderBatch(batch, transfers.batchStatus(batch), transfers.itemsOf(batch));

  app.get('/api/batch-transfers', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const batches = [...state.batches.values()].filter((batch) => batch.clientId === workspace.client.id);
    return reply.send({ ok: true, batch_transfers: batches.reverse().map(render) });
  });

  app.post('/api/batch-transfers', (request, reply) => {
    return createInWorkspace(request, reply, state, deps.idempotency, 'batch_transfer', ({ fields, workspace, user }) => {
      const source = sourceWallet(deps, workspace.client, fields.source_wallet_id, reply);
      if (!source) return reply;
      const mode = fields.execution_mode ?? 'immediate';
      if (mode !== 'immediate' && mode !== 'scheduled') return findigiError(reply, 'VALIDATION_ERROR', 'execution_mode must be immediate or scheduled.');
      let scheduledAt: number | undefined;
      if (mode === 'scheduled') {
        scheduledAt = Date.parse(stringField(fields.scheduled_at) ?? '');
        if (Number.isNaN(scheduledAt)) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} scheduled_at (ISO 8601) is required for a scheduled batch.`);
        if (scheduledAt <= ctx.clock.now()) return findigiError(reply, 'VALIDATION_ERROR', 'scheduled_at must be in the future.');
      }
      if (!Array.isArray(fields.items) || fields.items.length === 0 || fields.items.length > MAX_ITEMS) {
        return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} items must list 1 to ${MAX_ITEMS} { beneficiary_id, amount }.`);
      }
      const items: Array<{ beneficiary: SavedBank; amount: bigint }> = [];
      for (const [index, raw] of (fields.items as unknown[]).entries()) {
        const item = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
        const beneficiaryId = stringField(item.beneficiary_id);
        if (!beneficiaryId) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} items[${index}].beneficiary_id is required.`);
        const beneficiary = savedBankFor(deps, workspace.client, source, beneficiaryId, reply);
        if (!beneficiary) return reply;
        const amount = positiveAmount(item.amount, source.asset, `items[${index}].amount`);
        if (typeof amount === 'string') return findigiError(reply, 'VALIDATION_ERROR', amount);
        items.push({ beneficiary, amount });
      }
      const total = items.reduce((sum, item) => sum + item.amount, 0n);
      if (state.fiat.available(source.id) < total) return insufficientFunds(deps, source, reply);
      const batch = transfers.createBatch({
        client: workspace.client,
        userId: user.id,
        source,
        executionMode: mode,
        ...(scheduledAt === undefined ? {} : { scheduledAt }),
        items,
        description: stringField(fields.description) ?? '',
      });
      return { status: 201, body: { ok: true, batch_transfer: render(batch), items: transfers.itemsOf(batch).map(renderTransfer) } };
    });
  });

  app.get<{ Params: { id: string } }>('/api/batch-transfers/:id', (request, reply) => {
    const batch = batchInWorkspace(deps, request, reply, request.params.id);
    if (!batch) return reply;
    return reply.send({ ok: true, batch_transfer: render(batch) });
  });

  app.get<{ Params: { id: string } }>('/api/batch-transfers/:id/items', (request, reply) => {
    const batch = batchInWorkspace(deps, request, reply, request.params.id);
    if (!batch) return reply;
    return reply.send({ ok: true, batch_id: batch.id, items: transfers.itemsOf(batch).map(renderTransfer) });
  });

  app.post<{ Params: { id: string } }>('/api/batch-transfers/:id/cancel', (request, reply) => {
    const body = parseFields(request);
    const batch = batchInWorkspace(deps, request, reply, request.params.id, body.ok ? body.fields.client_id : undefined);
    if (!batch) return reply;
    const cancelled = transfers.cancelBatch(batch);
    if (cancelled === 0) return findigiError(reply, 'CONFLICT', `Batch transfer ${batch.id} has no item left to cancel (${transfers.batchStatus(batch)}).`);
    return reply.send({ ok: true, cancelled_items: cancelled, batch_transfer: render(batch), items: transfers.itemsOf(batch).map(renderTransfer) });
  });

  app.post<{ Params: { id: string } }>('/api/batch-transfers/:id/execute-now', (request, reply) => {
    const body = parseFields(request);
    const batch = batchInWorkspace(deps, request, reply, request.params.id, body.ok ? body.fields.client_id : undefined);
    if (!batch) return reply;
    if (!transfers.executeNow(batch)) {
      return findigiError(reply, 'CONFLICT', `Batch transfer ${batch.id} cannot run now (${transfers.batchStatus(batch)}).`);
    }
    return reply.send({ ok: true, batch_transfer: render(batch), items: transfers.itemsOf(batch).map(renderTransfer) });
  });
}

function batchInWorkspace({ state }: FindigiDeps, request: FastifyRequest, reply: FastifyReply, batchId: string, bodyClientId?: unknown): BatchTransfer | undefined {
  const workspace = resolveClient(request, reply, state, bodyClientId);
  if (!workspace) return undefined;
  const batch = state.batches.get(batchId);
  if (!batch || batch.clientId !== workspace.client.id) {
    findigiError(reply, 'NOT_FOUND', `Batch transfer ${batchId} was not found in this workspace.`);
    return undefined;
  }
  return batch;
}
