import { UpstreamError, type ErrorResponse, type ProviderErrorDescription, type ResilientHttpClient } from '@finmesh/connector-kit';
import type { LosslessJsonValue } from '@finmesh/schemas';
import { finxRequestHeaders } from '@finmesh/signing';
import { z } from 'zod';

/**
 * The Fin X accounts API (finx-accounts.txt): list, retrieve, create, update and delete accounts.
 * Responses are parsed losslessly by the kit's client, so `balance` arrives as the exact decimal
 * text Fin X wrote and `created_at`/`updated_at` as integer text; the shape is checked here.
 */
const text = z.string().min(1).max(256);
const decimalText = z.string().regex(/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/, { message: 'must be a JSON number' });
const unixSeconds = z.string().regex(/^\d{1,12}$/, { message: 'must be Unix seconds' });

export const FinxAccountSchema = z.object({
  id: text,
  type: text,
  balance: decimalText,
  currency: z.string().regex(/^[A-Za-z]{3}$/, { message: 'must be a three-letter currency code' }),
  owner_id: text,
  created_at: unixSeconds,
  updated_at: unixSeconds,
});
export type FinxAccount = z.infer<typeof FinxAccountSchema>;

const FinxListSchema = z.object({ has_more: z.boolean(), data: z.array(z.unknown()) });

/** A parsed account together with Fin X's own JSON, which the connector keeps as it came. */
export interface WithRaw<T> {
  value: T;
  raw: LosslessJsonValue;
}

export interface AccountListQuery {
  /** 1-100; Fin X's default is 10. */
  limit: number;
  type?: string;
  ownerId?: string;
  /** The last id of the previous page. */
  startingAfter?: string;
}

export interface AccountPage {
  accounts: Array<WithRaw<FinxAccount>>;
  hasMore: boolean;
}

/**
 * The attributes of a create or an update. `balance` is the JSON number Fin X documents: the
 * caller passes one that writes exactly the intended decimal (see `exactJsonNumber` in normalize).
 */
export interface AccountAttributes {
  type?: string;
  balance?: number;
  currency?: string;
}

export interface NewAccount {
  type: string;
  balance: number;
  currency: string;
  ownerId: string;
}

/** Fin X errors are `{ "type": "invalid_request" | "api_error", "message" }`; the HTTP status decides the kind. */
export function describeFinxError(response: ErrorResponse): ProviderErrorDescription {
  const parsed = z.object({ type: z.string(), message: z.string().optional() }).safeParse(response.json);
  if (!parsed.success) return {};
  const { type, message } = parsed.data;
  return { code: type, ...(message === undefined ? {} : { message }) };
}

/** Adds `Authorization: Bearer <token>` to every request (the token is checked once, at construction). */
export function finxSigner(token: string): () => Record<string, string> {
  const headers = finxRequestHeaders(token);
  return () => headers;
}

export class FinxClient {
  constructor(private readonly http: ResilientHttpClient) {}

  /** One page of accounts in Fin X's order; the next page starts after the last id. */
  async listAccounts(query: AccountListQuery, signal?: AbortSignal): Promise<AccountPage> {
    const response = await this.http.request({
      endpoint: 'accounts.list',
      method: 'GET',
      path: '/v1/accounts',
      query: [
        ['limit', String(query.limit)],
        ['type', query.type],
        ['owner_id', query.ownerId],
        ['starting_after', query.startingAfter],
      ],
      ...withSignal(signal),
    });
    const page = shapeOf(response.json, 'accounts.list', FinxListSchema);
    return { accounts: page.data.map((raw) => withRaw(raw as LosslessJsonValue, 'accounts.list')), hasMore: page.has_more };
  }

  async account(id: string, signal?: AbortSignal): Promise<WithRaw<FinxAccount>> {
    const response = await this.http.request({ endpoint: 'accounts.get', method: 'GET', path: accountPath(id), ...withSignal(signal) });
    return withRaw(response.json, 'accounts.get');
  }

  /**
   * POST /v1/accounts. Fin X takes no Idempotency-Key, so the kit's client retries it only when
   * Fin X certainly did not process it (the connector's own idempotency store covers the rest).
   */
  async createAccount(account: NewAccount, signal?: AbortSignal): Promise<WithRaw<FinxAccount>> {
    const response = await this.http.request({
      endpoint: 'accounts.create',
      method: 'POST',
      path: '/v1/accounts',
      json: { type: account.type, balance: account.balance, currency: account.currency, owner_id: account.ownerId },
      idempotent: false,
      ...withSignal(signal),
    });
    return withRaw(response.json, 'accounts.create');
  }

  /** PUT /v1/accounts/:id with only the attributes given; it sets values, so repeating it is harmless. */
  async updateAccount(id: string, attributes: AccountAttributes, signal?: AbortSignal): Promise<WithRaw<FinxAccount>> {
    const response = await this.http.request({
      endpoint: 'accounts.update',
      method: 'PUT',
      path: accountPath(id),
      json: {
        ...(attributes.type === undefined ? {} : { type: attributes.type }),
        ...(attributes.balance === undefined ? {} : { balance: attributes.balance }),
        ...(attributes.currency === undefined ? {} : { currency: attributes.currency }),
      },
      ...withSignal(signal),
    });
    return withRaw(response.json, 'accounts.update');
  }

  /** DELETE /v1/accounts/:id (204). A second delete is Fin X's 404, an UpstreamError of kind not_found. */
  async deleteAccount(id: string, signal?: AbortSignal): Promise<void> {
    await this.http.request({ endpoint: 'accounts.delete', method: 'DELETE', path: accountPath(id), ...withSignal(signal) });
  }

  /** One unretried, cheap, authenticated call: is Fin X reachable with our token? */
  async probe(signal: AbortSignal): Promise<void> {
    await this.http.probe({ endpoint: 'accounts.list', method: 'GET', path: '/v1/accounts', query: [['limit', '1']], signal });
  }
}

function accountPath(id: string): string {
  return `/v1/accounts/${encodeURIComponent(id)}`;
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

function withRaw(raw: LosslessJsonValue | undefined, endpoint: string): WithRaw<FinxAccount> {
  return { value: shapeOf(raw, endpoint, FinxAccountSchema), raw: raw ?? null };
}

/** A response that does not have the documented shape is Fin X failing, like a 5xx: retried, then reported. */
function shapeOf<Schema extends z.ZodType>(json: LosslessJsonValue | undefined, endpoint: string, schema: Schema): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new UpstreamError('server_error', `finx ${endpoint}: unexpected response shape (${issues.join('; ')})`, { provider: 'finx', endpoint });
}
