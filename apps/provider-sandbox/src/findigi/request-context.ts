import type { FastifyReply, FastifyRequest } from 'fastify';
import { readRequiredHeader } from '@finmesh/signing';
import type { IdempotencyStore, StoredResponse } from '../core/idempotency';
import { parseFields } from '../http/body';
import { idempotent } from '../http/idempotent';
import { findigiError, REQUIRED_INPUT_MESSAGE } from './errors';
import type { FindigiClient, FindigiUser, MemberRole } from './model';
import type { FindigiSessions } from './session';
import type { FindigiState } from './state';

/** The signed-in user of a request that passed `requireSession`. */
const sessions = new WeakMap<FastifyRequest, FindigiUser>();

export const TEST_HEADER = 'x-findigi-is-test';
export const CLIENT_HEADER = 'x-client-id';

/** The sandbox serves test mode only: requests must say so, as the FinDIGI sandbox guide asks. */
export function requireTestMode(request: FastifyRequest, reply: FastifyReply, required: boolean): boolean {
  if (!required || request.headers[TEST_HEADER] === 'true') return true;
  findigiError(reply, 'TEST_MODE_REQUIRED', `This is the FinDIGI sandbox: send ${TEST_HEADER}: true.`);
  return false;
}

/** Checks `Authorization: Bearer <jwt>`; on failure answers 401. */
export function requireSession(request: FastifyRequest, reply: FastifyReply, state: FindigiState, tokens: FindigiSessions): boolean {
  const header = readRequiredHeader(request.headers, 'Authorization');
  const token = header.ok ? /^Bearer +(\S+)$/i.exec(header.value)?.[1] : undefined;
  const claims = token === undefined ? undefined : tokens.verify(token);
  const user = claims === undefined ? undefined : state.users.get(claims.sub);
  if (!user) {
    findigiError(reply.header('www-authenticate', 'Bearer'), 'UNAUTHORIZED', 'A valid Bearer token is required; log in again.');
    return false;
  }
  sessions.set(request, user);
  return true;
}

export function sessionUser(request: FastifyRequest): FindigiUser {
  const user = sessions.get(request);
  if (!user) throw new Error('route used without requireSession');
  return user;
}

/**
 * The workspace a request acts in: `client_id` from the body or query (or `x-client-id`); a user
 * with one workspace may leave it out. Answers 400/403 and returns undefined when it cannot tell.
 */
export function resolveClient(
  request: FastifyRequest,
  reply: FastifyReply,
  state: FindigiState,
  bodyClientId?: unknown,
): { client: FindigiClient; role: MemberRole } | undefined {
  const user = sessionUser(request);
  const query = request.query as Record<string, unknown>;
  const given = [bodyClientId, query.client_id, request.headers[CLIENT_HEADER]].find((value) => value !== undefined);
  const memberships = state.clientsOf(user.id);
  let client: FindigiClient | undefined;
  if (given === undefined) {
    if (memberships.length !== 1) {
      findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} client_id is required: pick one from /api/auth/my-clients.`);
      return undefined;
    }
    client = memberships[0];
  } else if (typeof given !== 'string') {
    findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} client_id must be a string.`);
    return undefined;
  } else {
    client = memberships.find((membership) => membership.id === given);
    if (!client) {
      findigiError(reply, 'FORBIDDEN', `You are not a member of workspace ${given}.`);
      return undefined;
    }
  }
  const role = client?.members.get(user.id);
  if (!client || !role) throw new Error('membership lookup is inconsistent');
  return { client, role };
}

/** What a create route knows once its request passed the shared checks. */
export interface WorkspaceCreation {
  fields: Record<string, unknown>;
  workspace: { client: FindigiClient; role: MemberRole };
  user: FindigiUser;
}

/**
 * The opening every FinDIGI create route shares: read the body's fields, resolve the workspace,
 * and run `create` once per Idempotency-Key and user (`operation` scopes the key: the same key
 * may be used for a payout and a transfer).
 */
export function createInWorkspace(
  request: FastifyRequest,
  reply: FastifyReply,
  state: FindigiState,
  idempotency: IdempotencyStore,
  operation: string,
  create: (creation: WorkspaceCreation) => StoredResponse | FastifyReply,
): FastifyReply {
  const body = parseFields(request);
  if (!body.ok) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} ${body.error}.`);
  const { fields } = body;
  const workspace = resolveClient(request, reply, state, fields.client_id);
  if (!workspace) return reply;
  const user = sessionUser(request);
  return idempotent(
    idempotency,
    request,
    reply,
    `findigi:${user.id}:${operation}`,
    () => findigiError(reply, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request.'),
    () => create({ fields, workspace, user }),
  );
}
