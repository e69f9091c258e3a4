import type { Sandbox } from '../sandbox';
import { json } from './sandbox-fixture';

export const TEST_HEADER = { 'x-findigi-is-test': 'true' } as const;
export const PASSWORD = 'sandbox-password';
export const TWO_FACTOR_CODE = '123456';

export interface FindigiSession {
  token: string;
  headers: Record<string, string>;
  clientId: string;
}

/** Logs in (completing 2FA when asked) and picks the user's first workspace. */
export async function loginAs(sandbox: Sandbox, email: string): Promise<FindigiSession> {
  const login = json<{ token?: string; requires_2fa?: boolean; challenge_id?: string }>(
    await sandbox.app.inject({ method: 'POST', url: '/findigi/api/auth/login', payload: { email, password: PASSWORD } }),
  );
  let token = login.token;
  if (login.requires_2fa) {
    const verified = await sandbox.app.inject({
      method: 'POST',
      url: '/findigi/api/auth/login/2fa/verify',
      headers: TEST_HEADER,
      payload: { challenge_id: login.challenge_id, code: TWO_FACTOR_CODE },
    });
    token = json<{ token: string }>(verified).token;
  }
  if (token === undefined) throw new Error(`login of ${email} gave no token`);
  const headers = { ...TEST_HEADER, authorization: `Bearer ${token}` };
  const clients = json<{ clients: Array<{ client_id: string }> }>(
    await sandbox.app.inject({ method: 'GET', url: '/findigi/api/auth/my-clients', headers }),
  );
  const clientId = clients.clients[0]?.client_id;
  if (clientId === undefined) throw new Error(`${email} has no workspace`);
  return { token, headers: { ...headers, 'x-client-id': clientId }, clientId };
}

export interface WalletBody {
  id: string;
  currency: string;
  balance: string;
  available_balance: string;
}

export async function walletsOf(sandbox: Sandbox, session: FindigiSession): Promise<WalletBody[]> {
  return json<{ wallets: WalletBody[] }>(await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets', headers: session.headers })).wallets;
}
