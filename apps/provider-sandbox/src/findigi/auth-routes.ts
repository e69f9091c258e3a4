import type { FastifyInstance } from 'fastify';
import { parseFields, stringField } from '../http/body';
import type { FindigiDeps } from './deps';
import { findigiError, REQUIRED_INPUT_MESSAGE } from './errors';
import type { FindigiUser } from './model';
import { sessionUser } from './request-context';

/** Public login routes: login, then the 2FA step for accounts that have it on. */
export function registerLoginRoutes(app: FastifyInstance, { state, sessions }: FindigiDeps): void {
  app.post('/api/auth/login', (request, reply) => {
    const body = parseFields(request);
    if (!body.ok) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} ${body.error}.`);
    const email = stringField(body.fields.email);
    const password = stringField(body.fields.password);
    if (!email || !password) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} email and password are required.`);
    const user = state.userByEmail(email);
    if (!user || user.password !== password) return findigiError(reply, 'INVALID_CREDENTIALS', 'Email or password is incorrect.');
    if (user.twoFactor) {
      const challenge = sessions.startChallenge(user.id);
      return reply.send({
        ok: true,
        requires_2fa: true,
        challenge_id: challenge.challengeId,
        expires_in: challenge.expiresIn,
        message: 'Enter the 6-digit code sent to your email, then call /api/auth/login/2fa/verify.',
      });
    }
    return reply.send(tokenResponse(sessions.issue(user), user));
  });

  app.post('/api/auth/login/2fa/verify', (request, reply) => {
    const body = parseFields(request);
    if (!body.ok) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} ${body.error}.`);
    const challengeId = stringField(body.fields.challenge_id);
    const code = stringField(body.fields.code);
    if (!challengeId || !code) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} challenge_id and code are required.`);
    const check = sessions.check(challengeId, code);
    switch (check.kind) {
      case 'expired':
        return findigiError(reply, 'TWO_FACTOR_CHALLENGE_EXPIRED', 'The 2FA challenge is unknown or expired; log in again.');
      case 'invalid_code':
        return findigiError(reply, 'INVALID_2FA_CODE', 'The 2FA code is incorrect.');
      case 'ok': {
        const user = state.users.get(check.userId);
        if (!user) return findigiError(reply, 'UNAUTHORIZED', 'The user no longer exists.');
        return reply.send(tokenResponse(sessions.issue(user), user));
      }
    }
  });

  app.post('/api/auth/login/2fa/resend', (request, reply) => {
    const body = parseFields(request);
    const challengeId = body.ok ? stringField(body.fields.challenge_id) : undefined;
    if (!challengeId) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} challenge_id is required.`);
    const resent = sessions.resend(challengeId);
    if (!resent) return findigiError(reply, 'TWO_FACTOR_CHALLENGE_EXPIRED', 'The 2FA challenge is unknown or expired; log in again.');
    return reply.send({ ok: true, challenge_id: challengeId, expires_in: resent.expiresIn });
  });
}

/** Session routes: who am I, and which workspaces may I act in. */
export function registerSessionRoutes(app: FastifyInstance, { state }: FindigiDeps): void {
  app.get('/api/auth/me', (request, reply) => {
    const user = sessionUser(request);
    return reply.send({ ok: true, user: renderUser(user) });
  });

  app.get('/api/auth/my-clients', (request, reply) => {
    const user = sessionUser(request);
    return reply.send({
      ok: true,
      clients: state.clientsOf(user.id).map((client) => ({
        client_id: client.id,
        name: client.name,
        client_type: client.clientType,
        role: client.members.get(user.id),
        approval_mode: client.approvalMode,
        verification_status: 'verified',
        is_test: true,
      })),
    });
  });
}

function tokenResponse(issued: { token: string; expiresIn: number }, user: FindigiUser): Record<string, unknown> {
  return { ok: true, token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, user: renderUser(user) };
}

function renderUser(user: FindigiUser): Record<string, unknown> {
  return { id: user.id, email: user.email, name: user.name, two_factor_enabled: user.twoFactor };
}

