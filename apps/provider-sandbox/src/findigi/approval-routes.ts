import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseFields, stringField } from '../http/body';
import type { FindigiDeps } from './deps';
import { findigiError } from './errors';
import type { Approval } from './model';
import { renderApproval, renderBatch, renderTransfer } from './render';
import { resolveClient, sessionUser } from './request-context';

/** Maker-checker approvals of a company workspace. */
export function registerApprovalRoutes(app: FastifyInstance, deps: FindigiDeps): void {
  const { state } = deps;

  app.get('/api/approvals', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const status = (request.query as Record<string, unknown>).status;
    if (status !== undefined && status !== 'pending' && status !== 'approved' && status !== 'rejected' && status !== 'cancelled') {
      return findigiError(reply, 'VALIDATION_ERROR', 'status must be pending, approved, rejected or cancelled.');
    }
    const approvals = [...state.approvals.values()].filter(
      (approval) => approval.clientId === workspace.client.id && (status === undefined || approval.status === status),
    );
    return reply.send({ ok: true, approvals: approvals.reverse().map(renderApproval) });
  });

  app.get<{ Params: { id: string } }>('/api/approvals/:id', (request, reply) => {
    const approval = approvalInWorkspace(deps, request, reply, request.params.id);
    if (!approval) return reply;
    return reply.send({ ok: true, approval: renderApproval(approval), resource: renderResource(deps, approval) });
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: string } }>(`/api/approvals/:id/${decision}`, (request, reply) => {
      const body = parseFields(request);
      const fields = body.ok ? body.fields : {};
      const approval = approvalInWorkspace(deps, request, reply, request.params.id, fields.client_id);
      if (!approval) return reply;
      const user = sessionUser(request);
      const role = state.clients.get(approval.clientId)?.members.get(user.id);
      if (role === 'maker') return findigiError(reply, 'FORBIDDEN', 'Makers cannot approve or reject; a checker must decide.');
      if (approval.requestedBy === user.id) return findigiError(reply, 'FORBIDDEN', 'You cannot decide on your own request.');
      if (approval.status !== 'pending') return findigiError(reply, 'CONFLICT', `Approval ${approval.id} is already ${approval.status}.`);
      const note = stringField(fields.note);
      if (decision === 'approve') deps.transfers.approve(approval, user.id, note);
      else deps.transfers.reject(approval, user.id, note);
      return reply.send({ ok: true, approval: renderApproval(approval), resource: renderResource(deps, approval) });
    });
  }
}

/** What an approval decides on: a transfer or payout, or a whole batch. */
function renderResource({ state, transfers }: FindigiDeps, approval: Approval): Record<string, unknown> | null {
  if (approval.resourceType === 'batch_transfer') {
    const batch = state.batches.get(approval.resourceId);
    return batch ? renderBatch(batch, transfers.batchStatus(batch), transfers.itemsOf(batch)) : null;
  }
  const transfer = state.transfers.get(approval.resourceId);
  return transfer ? renderTransfer(transfer) : null;
}

function approvalInWorkspace(
  { state }: FindigiDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  approvalId: string,
  bodyClientId?: unknown,
): Approval | undefined {
  const workspace = resolveClient(request, reply, state, bodyClientId);
  if (!workspace) return undefined;
  const approval = state.approvals.get(approvalId);
  if (!approval || approval.clientId !== workspace.client.id) {
    findigiError(reply, 'NOT_FOUND', `Approval ${approvalId} was not found in this workspace.`);
    return undefined;
  }
  return approval;
}
