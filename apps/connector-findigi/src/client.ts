import { UpstreamError, type ErrorResponse, type ProviderErrorDescription, type ProviderRequest, type ProviderResponse, type ResilientHttpClient } from '@finmesh/connector-kit';
import type { LosslessJsonValue } from '@finmesh/schemas';
import { bearerAuthorization, BearerTokenProvider, type LoginOutcome } from '@finmesh/signing';
import { z } from 'zod';

/**
 * The FinDIGI API as the connector uses it. FinDIGI's document shows field names but placeholder
 * samples; the shapes follow the provider sandbox (apps/provider-sandbox/README.md). Every
 * response is parsed losslessly (amounts stay exact decimal strings) and its shape checked.
 */
const text = z.string().min(1);
const decimal = z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a decimal string' });
const timestamp = z.iso.datetime({ offset: true });

export const FindigiWalletSchema = z.object({ id: text, client_id: text, name: z.string(), currency: text, status: z.string() });
export const FindigiWalletBalancesSchema = z.object({
  wallet_id: text,
  balances: z.array(z.object({ currency: text, balance: decimal, available_balance: decimal, on_hold: decimal.optional() })),
  as_of: timestamp,
});
export const FindigiHistoryItemSchema = z.object({
  id: text,
  wallet_id: text,
  type: text,
  direction: z.enum(['credit', 'debit']),
  amount: decimal,
  currency: text,
  status: z.enum(['pending', 'completed', 'cancelled', 'failed']),
  reference_type: z.string().nullable(),
  reference_id: z.string().nullable(),
  description: z.string().nullable(),
  created_at: timestamp,
  completed_at: timestamp.nullable(),
});
export const FindigiVaultWalletSchema = z.object({ id: text, client_id: text, name: z.string(), network: z.string() });
export const FindigiVaultBalanceSchema = z.object({ symbol: text, balance: decimal, available_balance: decimal });
export const FindigiVaultTransactionSchema = z.object({
  id: text,
  wallet_id: text,
  type: text,
  symbol: text,
  amount: decimal,
  direction: z.enum(['in', 'out']),
  status: text,
  tx_hash: z.string().nullable().optional(),
  counterparty_address: z.string().nullable().optional(),
  created_at: timestamp,
  confirmed_at: timestamp.nullable(),
});
export const FindigiTransferSchema = z.object({
  id: text,
  type: z.enum(['wallet_transfer', 'bank_transfer', 'payout']),
  client_id: text,
  source_wallet_id: text,
  amount: decimal,
  currency: text,
  status: text,
  approval_id: z.string().nullable(),
  failure_reason: z.string().nullable(),
  /** Payouts that are items of a batch transfer name it. */
  batch_id: z.string().nullable().optional(),
  /** Payouts to a saved bank account name it. */
  beneficiary_id: z.string().nullable().optional(),
  updated_at: timestamp,
});
export const FindigiBatchSchema = z.object({
  id: text,
  client_id: text,
  source_wallet_id: text,
  currency: text,
  execution_mode: z.enum(['immediate', 'scheduled']),
  scheduled_at: timestamp.nullable(),
  status: text,
  item_count: z.string().regex(/^\d+$/).transform(Number),
  total_amount: decimal,
  approval_id: z.string().nullable(),
  updated_at: timestamp,
});
export const FindigiBankTransferQuoteSchema = z.object({
  source_wallet_id: text,
  amount: decimal,
  fee: decimal,
  total: decimal,
  currency: text,
  bank_code: text,
  expires_at: timestamp,
});
/** JSON integers arrive as their text (the client parses losslessly). */
const count = z.string().regex(/^\d{1,9}$/, { message: 'must be a whole number' }).transform(Number);
const signedDecimal = z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'must be a decimal string' });
export const FindigiFxTickerSchema = z.object({
  pair: text,
  rate: decimal,
  previous_rate: decimal.nullable(),
  change_value: signedDecimal.nullable(),
  change_pct: signedDecimal.nullable(),
  trend_direction: z.enum(['up', 'down', 'flat']),
  baseline_quoted_at: timestamp.nullable(),
  comparison_available: z.boolean(),
  age_seconds: count,
  is_expired: z.boolean(),
  is_fresh: z.boolean(),
});
export const FindigiFxTickersSchema = z.object({ change_window_hours: count, items: z.array(FindigiFxTickerSchema) });
export const FindigiFxQuoteSchema = z.object({ pair: text, base: text, quote: text, rate: decimal, quoted_at: timestamp, expires_at: timestamp, ttl: count });
const ClientSchema = z.object({ client_id: text, name: z.string(), client_type: z.string(), approval_mode: z.string().optional() });
const LoginSchema = z.union([
  z.object({ requires_2fa: z.literal(true), challenge_id: text }),
  z.object({ token: text }),
]);

export type FindigiWallet = z.infer<typeof FindigiWalletSchema>;
export type FindigiWalletBalances = z.infer<typeof FindigiWalletBalancesSchema>;
export type FindigiHistoryItem = z.infer<typeof FindigiHistoryItemSchema>;
export type FindigiVaultWallet = z.infer<typeof FindigiVaultWalletSchema>;
export type FindigiVaultBalance = z.infer<typeof FindigiVaultBalanceSchema>;
export type FindigiVaultTransaction = z.infer<typeof FindigiVaultTransactionSchema>;
export type FindigiTransfer = z.infer<typeof FindigiTransferSchema>;
export type FindigiWorkspace = z.infer<typeof ClientSchema>;
export type FindigiBatch = z.infer<typeof FindigiBatchSchema>;
export type FindigiBankTransferQuote = z.infer<typeof FindigiBankTransferQuoteSchema>;
export type FindigiFxTicker = z.infer<typeof FindigiFxTickerSchema>;
export type FindigiFxTickers = z.infer<typeof FindigiFxTickersSchema>;
export type FindigiFxQuote = z.infer<typeof FindigiFxQuoteSchema>;

export interface FindigiCredentials {
  email: string;
  password: string;
  /** Where a 2FA code comes from (TOTP or a fixed code); undefined: the account must not need one. */
  twoFactorCode?: () => string;
  /** The configured workspace; undefined: the user's only one. */
  clientId?: string;
  refreshMarginMs: number;
  now?: () => Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface WalletTransferRequest {
  source_wallet_id: string;
  destination_wallet_id: string;
  amount: string;
  description?: string;
}

export interface PayoutRequest {
  source_wallet_id: string;
  amount: string;
  beneficiary_id?: string;
  beneficiary?: { bank_code: string; account_number: string; account_name: string };
  description?: string;
}

export interface BatchTransferRequest {
  source_wallet_id: string;
  execution_mode: 'immediate' | 'scheduled';
  scheduled_at?: string;
  items: Array<{ beneficiary_id: string; amount: string }>;
  description?: string;
}

export interface BatchAnswer {
  batch: FindigiBatch;
  items: FindigiTransfer[];
}

export interface BankTransferRequest {
  source_wallet_id: string;
  amount: string;
  beneficiary: { bank_code: string; account_number: string; account_name: string };
  description?: string;
}

/** In sandbox mode every request, login included, says so with `x-findigi-is-test: true`. */
export function findigiSigner(sandbox: boolean): () => Record<string, string> {
  const headers: Record<string, string> = sandbox ? { 'x-findigi-is-test': 'true' } : {};
  return () => headers;
}

/** FinDIGI errors are `{ "error": "<CODE>", "message" }`. */
export function describeFindigiError(response: ErrorResponse): ProviderErrorDescription {
  const parsed = z.object({ error: z.string(), message: z.string().optional() }).safeParse(response.json);
  if (!parsed.success) return {};
  const { error: code, message } = parsed.data;
  const description: ProviderErrorDescription = { code, ...(message === undefined ? {} : { message }) };
  if (code === 'RATE_LIMITED') return { ...description, kind: 'rate_limited' };
  return description;
}

/**
 * The session (login, 2FA, the JWT renewed before `exp` and once more after a 401) and the
 * workspace (checked against `/api/auth/my-clients`, sent as `x-client-id` on every call).
 */
export class FindigiClient {
  private readonly tokens: BearerTokenProvider<string>;
  private workspace: Promise<FindigiWorkspace> | undefined;

  constructor(
    private readonly http: ResilientHttpClient,
    private readonly credentials: FindigiCredentials,
  ) {
    const twoFactorCode = credentials.twoFactorCode;
    this.tokens = new BearerTokenProvider<string>({
      login: () => this.login(),
      ...(twoFactorCode === undefined ? {} : { twoFactorCode: () => Promise.resolve(twoFactorCode()), verifyTwoFactor: (code: string, challengeId: string) => this.verifyTwoFactor(challengeId, code) }),
      refreshMarginMs: credentials.refreshMarginMs,
      ...(credentials.now === undefined ? {} : { now: credentials.now }),
    });
  }

  /** The workspace this instance serves, resolved once per process. */
  async currentWorkspace(signal?: AbortSignal): Promise<FindigiWorkspace> {
    this.workspace ??= this.resolveWorkspace(signal).catch((error: unknown) => {
      this.workspace = undefined;
      throw error;
    });
    return this.workspace;
  }

  async wallets(signal?: AbortSignal): Promise<Array<{ value: FindigiWallet; raw: LosslessJsonValue }>> {
    const response = await this.inWorkspace({ endpoint: 'wallets.list', method: 'GET', path: '/api/wallets', ...withSignal(signal) });
    return listOf(response.json, 'wallets.list', 'wallets', FindigiWalletSchema);
  }

  async walletBalances(walletId: string, signal?: AbortSignal): Promise<FindigiWalletBalances> {
    const response = await this.inWorkspace({ endpoint: 'wallets.balances', method: 'GET', path: `/api/wallets/${encodeURIComponent(walletId)}/balances`, ...withSignal(signal) });
    return shapeOf(response.json, 'wallets.balances', FindigiWalletBalancesSchema);
  }

  /** One page of a wallet's history, newest first. */
  async walletHistory(walletId: string, query: { limit: number; cursor?: string; from?: string }, signal?: AbortSignal): Promise<Page<FindigiHistoryItem>> {
    const response = await this.inWorkspace({
      endpoint: 'wallets.history',
      method: 'GET',
      path: `/api/wallets/${encodeURIComponent(walletId)}/history`,
      query: [
        ['limit', String(query.limit)],
        ['cursor', query.cursor],
        ['from', query.from],
      ],
      ...withSignal(signal),
    });
    const page = shapeOf(response.json, 'wallets.history', z.object({ items: z.array(z.unknown()), next_cursor: z.string().nullable() }));
    return { items: page.items.map((item) => shapeOf(item as LosslessJsonValue, 'wallets.history', FindigiHistoryItemSchema)), nextCursor: page.next_cursor };
  }

  async vaultWallets(signal?: AbortSignal): Promise<Array<{ value: FindigiVaultWallet; raw: LosslessJsonValue }>> {
    const response = await this.inWorkspace({ endpoint: 'finvault.wallets', method: 'GET', path: '/api/finvault/wallets', ...withSignal(signal) });
    return listOf(response.json, 'finvault.wallets', 'wallets', FindigiVaultWalletSchema);
  }

  async vaultBalances(walletId: string, signal?: AbortSignal): Promise<FindigiVaultBalance[]> {
    const response = await this.inWorkspace({ endpoint: 'finvault.balances', method: 'GET', path: `/api/finvault/wallets/${encodeURIComponent(walletId)}/balances`, ...withSignal(signal) });
    return listOf(response.json, 'finvault.balances', 'balances', FindigiVaultBalanceSchema).map(({ value }) => value);
  }

  /** One page of the workspace's FinVault transactions, newest first. */
  async vaultTransactions(query: { limit: number; cursor?: string }, signal?: AbortSignal): Promise<Page<FindigiVaultTransaction>> {
    const response = await this.inWorkspace({
      endpoint: 'finvault.transactions',
      method: 'GET',
      path: '/api/finvault/transactions',
      query: [
        ['limit', String(query.limit)],
        ['cursor', query.cursor],
      ],
      ...withSignal(signal),
    });
    const page = shapeOf(response.json, 'finvault.transactions', z.object({ transactions: z.array(z.unknown()), next_cursor: z.string().nullable() }));
    return { items: page.transactions.map((item) => shapeOf(item as LosslessJsonValue, 'finvault.transactions', FindigiVaultTransactionSchema)), nextCursor: page.next_cursor };
  }

  async createWalletTransfer(request: WalletTransferRequest, idempotencyKey: string, signal?: AbortSignal): Promise<FindigiTransfer> {
    const response = await this.createInWorkspace('wallets.transfers.create', '/api/wallets/transfers', request, idempotencyKey, signal);
    return transferOf(response.json, 'wallets.transfers.create');
  }

  async walletTransfer(id: string, signal?: AbortSignal): Promise<FindigiTransfer> {
    const response = await this.inWorkspace({ endpoint: 'wallets.transfers.get', method: 'GET', path: `/api/wallets/transfers/${encodeURIComponent(id)}`, ...withSignal(signal) });
    return transferOf(response.json, 'wallets.transfers.get');
  }

  /** FinDIGI's fee and total for a transfer to bank; it also refuses corridors it cannot serve. Creates nothing. */
  async quoteBankTransfer(request: BankTransferRequest, signal?: AbortSignal): Promise<FindigiBankTransferQuote> {
    const response = await this.inWorkspace({
      endpoint: 'fiat.transfers-to-bank.quote',
      method: 'POST',
      path: '/api/fiat/transfers-to-bank/quote',
      json: request,
      idempotent: true,
      ...withSignal(signal),
    });
    return shapeOf(response.json, 'fiat.transfers-to-bank.quote', z.object({ quote: FindigiBankTransferQuoteSchema })).quote;
  }

  async createBankTransfer(request: BankTransferRequest, idempotencyKey: string, signal?: AbortSignal): Promise<FindigiTransfer> {
    const response = await this.createInWorkspace('fiat.transfers-to-bank.create', '/api/fiat/transfers-to-bank', request, idempotencyKey, signal);
    return transferOf(response.json, 'fiat.transfers-to-bank.create');
  }

  async bankTransfer(id: string, signal?: AbortSignal): Promise<FindigiTransfer> {
    const response = await this.inWorkspace({ endpoint: 'fiat.transfers-to-bank.get', method: 'GET', path: `/api/fiat/transfers-to-bank/${encodeURIComponent(id)}`, ...withSignal(signal) });
    return transferOf(response.json, 'fiat.transfers-to-bank.get');
  }

  async createPayout(request: PayoutRequest, idempotencyKey: string, signal?: AbortSignal): Promise<FindigiTransfer> {
    const response = await this.createInWorkspace('fiat.payout.create', '/api/fiat/payout', request, idempotencyKey, signal);
    return shapeOf(response.json, 'fiat.payout.create', z.object({ payout: FindigiTransferSchema })).payout;
  }

  /** A payout, alone or a batch item (the sandbox's `GET /api/fiat/payout/:id`). */
  async payout(id: string, signal?: AbortSignal): Promise<FindigiTransfer> {
    const response = await this.inWorkspace({ endpoint: 'fiat.payout.get', method: 'GET', path: `/api/fiat/payout/${encodeURIComponent(id)}`, ...withSignal(signal) });
    return shapeOf(response.json, 'fiat.payout.get', z.object({ payout: FindigiTransferSchema })).payout;
  }

  async createBatch(request: BatchTransferRequest, idempotencyKey: string, signal?: AbortSignal): Promise<BatchAnswer> {
    const response = await this.createInWorkspace('batch-transfers.create', '/api/batch-transfers', request, idempotencyKey, signal);
    return batchOf(response.json, 'batch-transfers.create');
  }

  async batch(id: string, signal?: AbortSignal): Promise<BatchAnswer> {
    const path = `/api/batch-transfers/${encodeURIComponent(id)}`;
    const batch = await this.inWorkspace({ endpoint: 'batch-transfers.get', method: 'GET', path, ...withSignal(signal) });
    const items = await this.inWorkspace({ endpoint: 'batch-transfers.items', method: 'GET', path: `${path}/items`, ...withSignal(signal) });
    return {
      batch: shapeOf(batch.json, 'batch-transfers.get', z.object({ batch_transfer: FindigiBatchSchema })).batch_transfer,
      items: shapeOf(items.json, 'batch-transfers.items', z.object({ items: z.array(FindigiTransferSchema) })).items,
    };
  }

  /** Cancels the items that have not run yet; FinDIGI answers 409 when none is left. */
  async cancelBatch(id: string, signal?: AbortSignal): Promise<BatchAnswer> {
    const response = await this.inWorkspace({ endpoint: 'batch-transfers.cancel', method: 'POST', path: `/api/batch-transfers/${encodeURIComponent(id)}/cancel`, json: {}, ...withSignal(signal) });
    return batchOf(response.json, 'batch-transfers.cancel');
  }

  async executeBatchNow(id: string, signal?: AbortSignal): Promise<BatchAnswer> {
    const response = await this.inWorkspace({ endpoint: 'batch-transfers.execute-now', method: 'POST', path: `/api/batch-transfers/${encodeURIComponent(id)}/execute-now`, json: {}, ...withSignal(signal) });
    return batchOf(response.json, 'batch-transfers.execute-now');
  }

  /**
   * FinDIGI's FX ticker feed with its freshness metadata. Public (no session): FX reference data
   * is the same for every workspace.
   */
  async fxTickers(query: { pairs?: readonly string[]; minFreshSeconds: number; changeWindowHours?: number }, signal?: AbortSignal): Promise<FindigiFxTickers> {
    const response = await this.http.request({
      endpoint: 'fx.tickers',
      method: 'GET',
      path: '/api/fx/tickers',
      query: [
        ['pairs', query.pairs === undefined ? undefined : query.pairs.join(',')],
        ['min_fresh_seconds', String(query.minFreshSeconds)],
        ['change_window_hours', query.changeWindowHours === undefined ? undefined : String(query.changeWindowHours)],
      ],
      ...withSignal(signal),
    });
    return shapeOf(response.json, 'fx.tickers', FindigiFxTickersSchema);
  }

  /** A reference FX quote for one pair, valid `ttl` seconds from `quoted_at`. */
  async fxQuote(query: { base: string; quote: string; ttlSeconds?: number }, signal?: AbortSignal): Promise<FindigiFxQuote> {
    const response = await this.http.request({
      endpoint: 'fx.quote',
      method: 'GET',
      path: '/api/fx/quote',
      query: [
        ['base', query.base],
        ['quote', query.quote],
        ['ttl', query.ttlSeconds === undefined ? undefined : String(query.ttlSeconds)],
      ],
      ...withSignal(signal),
    });
    return shapeOf(response.json, 'fx.quote', FindigiFxQuoteSchema);
  }

  /** One unretried authenticated call: is FinDIGI reachable with our session? */
  async probe(signal: AbortSignal): Promise<void> {
    const token = await this.tokens.getToken();
    await this.http.probe({ endpoint: 'auth.me', method: 'GET', path: '/api/auth/me', headers: { Authorization: bearerAuthorization(token) }, signal });
  }

  private async resolveWorkspace(signal: AbortSignal | undefined): Promise<FindigiWorkspace> {
    const response = await this.authenticated({ endpoint: 'auth.my-clients', method: 'GET', path: '/api/auth/my-clients', ...withSignal(signal) });
    const clients = listOf(response.json, 'auth.my-clients', 'clients', ClientSchema).map(({ value }) => value);
    const wanted = this.credentials.clientId;
    const workspace = wanted === undefined ? (clients.length === 1 ? clients[0] : undefined) : clients.find((client) => client.client_id === wanted);
    if (workspace === undefined) {
      const message = wanted === undefined ? `the user belongs to ${clients.length} workspaces: set FINDIGI_CLIENT_ID` : `the user is not a member of workspace ${wanted}`;
      throw new UpstreamError('unauthorized', `findigi auth.my-clients: ${message}`, { provider: 'findigi', endpoint: 'auth.my-clients' });
    }
    return workspace;
  }

  /** A POST that creates something, made safe to retry by FinDIGI's Idempotency-Key. */
  private createInWorkspace(endpoint: string, path: string, request: unknown, idempotencyKey: string, signal: AbortSignal | undefined): Promise<ProviderResponse> {
    return this.inWorkspace({ endpoint, method: 'POST', path, json: request, headers: { 'Idempotency-Key': idempotencyKey }, ...withSignal(signal) });
  }

  private async inWorkspace(request: ProviderRequest): Promise<ProviderResponse> {
    const workspace = await this.currentWorkspace(request.signal);
    return this.authenticated({ ...request, headers: { ...request.headers, 'x-client-id': workspace.client_id } });
  }

  /** With the current JWT; a 401 (revoked, or expired early) drops it, logs in again and sends once more. */
  private async authenticated(request: ProviderRequest): Promise<ProviderResponse> {
    const send = (token: string): Promise<ProviderResponse> => this.http.request({ ...request, headers: { ...request.headers, Authorization: bearerAuthorization(token) } });
    const token = await this.tokens.getToken();
    try {
      return await send(token);
    } catch (error: unknown) {
      if (!(error instanceof UpstreamError) || error.kind !== 'unauthorized' || error.httpStatus !== 401) throw error;
      this.tokens.invalidate(token);
      return send(await this.tokens.getToken());
    }
  }

  private async login(): Promise<LoginOutcome<string>> {
    const response = await this.http.request({
      endpoint: 'auth.login',
      method: 'POST',
      path: '/api/auth/login',
      json: { email: this.credentials.email, password: this.credentials.password },
      // A login creates nothing: sending it twice is harmless.
      idempotent: true,
    });
    const outcome = shapeOf(response.json, 'auth.login', LoginSchema);
    return 'token' in outcome ? { kind: 'token', token: outcome.token } : { kind: 'two-factor-required', challenge: outcome.challenge_id };
  }

  private async verifyTwoFactor(challengeId: string, code: string): Promise<string> {
    const response = await this.http.request({ endpoint: 'auth.2fa.verify', method: 'POST', path: '/api/auth/login/2fa/verify', json: { challenge_id: challengeId, code } });
    return shapeOf(response.json, 'auth.2fa.verify', z.object({ token: text })).token;
  }
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** A response that does not have the expected shape is FinDIGI failing, like a 5xx: retried, then reported. */
function shapeOf<Schema extends z.ZodType>(json: LosslessJsonValue | undefined, endpoint: string, schema: Schema): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new UpstreamError('server_error', `findigi ${endpoint}: unexpected response shape (${issues.join('; ')})`, { provider: 'findigi', endpoint });
}

function listOf<Schema extends z.ZodType>(json: LosslessJsonValue | undefined, endpoint: string, field: string, schema: Schema): Array<{ value: z.output<Schema>; raw: LosslessJsonValue }> {
  const list = shapeOf(json, endpoint, z.object({ [field]: z.array(z.unknown()) }));
  const items = list[field] as unknown[];
  return items.map((raw) => ({ value: shapeOf(raw as LosslessJsonValue, endpoint, schema), raw: raw as LosslessJsonValue }));
}

function batchOf(json: LosslessJsonValue | undefined, endpoint: string): BatchAnswer {
  const answer = shapeOf(json, endpoint, z.object({ batch_transfer: FindigiBatchSchema, items: z.array(FindigiTransferSchema) }));
  return { batch: answer.batch_transfer, items: answer.items };
}

function transferOf(json: LosslessJsonValue | undefined, endpoint: string): FindigiTransfer {
  return shapeOf(json, endpoint, z.object({ transfer: FindigiTransferSchema })).transfer;
}
