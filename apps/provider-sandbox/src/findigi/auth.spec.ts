import type { Sandbox } from '../sandbox';
import { loginAs, PASSWORD, TEST_HEADER, TWO_FACTOR_CODE } from '../testing/findigi-session';
import { ADMIN_HEADERS, createTestSandbox, json } from '../testing/sandbox-fixture';

describe('FinDIGI auth: login, 2FA, my-clients, test mode', () => {
  let sandbox: Sandbox;
  let wallTime: number;

  beforeEach(async () => {
    wallTime = Date.parse('2025-03-03T09:00:00Z');
    sandbox = await createTestSandbox({ liveActivity: false, wallClock: () => wallTime });
  });

  afterEach(async () => {
    await sandbox.close();
  });

  it('logs in without 2FA and returns a Bearer JWT with an expiry', async () => {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/findigi/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: { email: 'alpha.tester@findigi.local', password: PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const body = json<{ ok: boolean; token: string; token_type: string; expires_in: number }>(response);
    expect(body).toMatchObject({ ok: true, token_type: 'Bearer', expires_in: 3600 });
    const [, payload] = body.token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as { exp: number };
    expect(claims.exp).toBe(wallTime / 1000 + 3600);
  });

  it('asks for 2FA when it is on, refuses a wrong code and accepts the right one', async () => {
    const login = json<{ requires_2fa: boolean; challenge_id: string }>(
      await sandbox.app.inject({ method: 'POST', url: '/findigi/api/auth/login', payload: { email: 'maker@findigi.local', password: PASSWORD } }),
    );
    expect(login.requires_2fa).toBe(true);
    const wrong = await sandbox.app.inject({
      method: 'POST',
      url: '/findigi/api/auth/login/2fa/verify',
      headers: TEST_HEADER,
      payload: { challenge_id: login.challenge_id, code: '000000' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(json(wrong)).toEqual({ error: 'INVALID_2FA_CODE', message: 'The 2FA code is incorrect.' });
    const right = await sandbox.app.inject({
      method: 'POST',
      url: '/findigi/api/auth/login/2fa/verify',
      headers: TEST_HEADER,
      payload: { challenge_id: login.challenge_id, code: TWO_FACTOR_CODE },
    });
    expect(right.statusCode).toBe(200);
    expect(json(right)).toMatchObject({ ok: true, token: expect.any(String) });
  });

  it('expires a 2FA challenge after five minutes; resend renews it', async () => {
    const login = json<{ challenge_id: string }>(
      await sandbox.app.inject({ method: 'POST', url: '/findigi/api/auth/login', payload: { email: 'checker@findigi.local', password: PASSWORD } }),
    );
    wallTime += 4 * 60_000;
    const resend = await sandbox.app.inject({ method: 'POST', url: '/findigi/api/auth/login/2fa/resend', payload: { challenge_id: login.challenge_id } });
    expect(json(resend)).toEqual({ ok: true, challenge_id: login.challenge_id, expires_in: 300 });
    wallTime += 4 * 60_000;
    const stillValid = await sandbox.app.inject({
      method: 'POST',
      url: '/findigi/api/auth/login/2fa/verify',
      payload: { challenge_id: login.challenge_id, code: TWO_FACTOR_CODE },
    });
    expect(stillValid.statusCode).toBe(200);
    const again = await sandbox.app.inject({
      method: 'POST',
      url: '/findigi/api/auth/login/2fa/verify',
      payload: { challenge_id: login.challenge_id, code: TWO_FACTOR_CODE },
    });
    expect(json(again)).toMatchObject({ error: 'TWO_FACTOR_CHALLENGE_EXPIRED' });
  });

  it.each([
    [{ email: 'alpha.tester@findigi.local', password: 'wrong' }, 401, 'INVALID_CREDENTIALS'],
    [{ email: 'nobody@findigi.local', password: PASSWORD }, 401, 'INVALID_CREDENTIALS'],
    [{ email: 'alpha.tester@findigi.local' }, 400, 'VALIDATION_ERROR'],
  ])('refuses login %j', async (payload, status, error) => {
    const response = await sandbox.app.inject({ method: 'POST', url: '/findigi/api/auth/login', payload });
    expect(response.statusCode).toBe(status);
    expect(json(response)).toMatchObject({ error, message: expect.any(String) });
  });

  it('lists the workspaces of the user with their approval mode', async () => {
    const maker = await loginAs(sandbox, 'maker@findigi.local');
    const response = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/auth/my-clients', headers: maker.headers });
    expect(json(response)).toEqual({
      ok: true,
      clients: [
        {
          client_id: maker.clientId,
          name: 'Acme Treasury PT',
          client_type: 'company',
          role: 'maker',
          approval_mode: 'maker_checker',
          verification_status: 'verified',
          is_test: true,
        },
      ],
    });
    const me = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/auth/me', headers: maker.headers });
    expect(json(me)).toMatchObject({ ok: true, user: { email: 'maker@findigi.local', two_factor_enabled: true } });
  });

  it('requires x-findigi-is-test: true, a Bearer token, and an unexpired one', async () => {
    const session = await loginAs(sandbox, 'alpha.tester@findigi.local');
    const noTestHeader = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets', headers: { authorization: `Bearer ${session.token}` } });
    expect(noTestHeader.statusCode).toBe(400);
    expect(json(noTestHeader)).toMatchObject({ error: 'TEST_MODE_REQUIRED' });

    const noToken = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets', headers: TEST_HEADER });
    expect(noToken.statusCode).toBe(401);
    expect(json(noToken)).toEqual({ error: 'UNAUTHORIZED', message: 'A valid Bearer token is required; log in again.' });

    const forged = `${session.token.slice(0, -4)}AAAA`;
    const forgedResponse = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets', headers: { ...TEST_HEADER, authorization: `Bearer ${forged}` } });
    expect(forgedResponse.statusCode).toBe(401);

    wallTime += 3601_000;
    const expired = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets', headers: session.headers });
    expect(expired.statusCode).toBe(401);
  });

  it('revokes sessions through the admin API: the revoked JWTs answer 401, a new login works', async () => {
    const maker = await loginAs(sandbox, 'maker@findigi.local');
    const alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
    const revoke = await sandbox.app.inject({ method: 'POST', url: '/_admin/findigi/sessions/revoke', headers: ADMIN_HEADERS, payload: { email: 'maker@findigi.local' } });
    expect(json(revoke)).toEqual({ revoked: 1 });
    expect((await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets', headers: maker.headers })).statusCode).toBe(401);
    expect((await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets', headers: alpha.headers })).statusCode).toBe(200);
    const again = await loginAs(sandbox, 'maker@findigi.local');
    expect((await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets', headers: again.headers })).statusCode).toBe(200);
    const everyone = await sandbox.app.inject({ method: 'POST', url: '/_admin/findigi/sessions/revoke', headers: ADMIN_HEADERS, payload: {} });
    expect(json(everyone)).toEqual({ revoked: 2 });
    expect((await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets', headers: alpha.headers })).statusCode).toBe(401);
    const unknown = await sandbox.app.inject({ method: 'POST', url: '/_admin/findigi/sessions/revoke', headers: ADMIN_HEADERS, payload: { email: 'nobody@findigi.local' } });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses a workspace the user is not a member of', async () => {
    const alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
    const maker = await loginAs(sandbox, 'maker@findigi.local');
    const response = await sandbox.app.inject({ method: 'GET', url: `/findigi/api/wallets?client_id=${maker.clientId}`, headers: { ...alpha.headers, 'x-client-id': maker.clientId } });
    expect(response.statusCode).toBe(403);
    expect(json(response)).toEqual({ error: 'FORBIDDEN', message: `You are not a member of workspace ${maker.clientId}.` });
  });

  it('answers unknown routes with its 404 shape', async () => {
    const response = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual({ error: 'NOT_FOUND', message: 'Route GET /findigi/api/nothing-here not found.' });
  });
});
