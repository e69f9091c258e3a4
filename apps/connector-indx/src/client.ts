import { UpstreamError, type ErrorResponse, type ProviderErrorDescription, type ProviderResponse, type ResilientHttpClient, type SignableRequest } from '@finmesh/connector-kit';
import type { LosslessJsonValue } from '@finmesh/schemas';
import { signIndxRequest, type IndxCredentials } from '@finmesh/signing';
import { z } from 'zod';

/**
 * The INDX Customer API as the connector uses it. INDX documents endpoints and auth but no paths
 * or fields; these follow the provider sandbox's definition (apps/provider-sandbox/README.md).
 * Every response is parsed losslessly (amounts stay exact decimal strings) and its shape checked.
 */
const text = z.string().min(1);
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'must be a decimal string' });
const timestamp = z.iso.datetime({ offset: true });

export const IndxAccountSchema = z.object({ id: text, name: z.string(), currency: text, type: z.string(), status: z.string(), createdAt: timestamp });
export const IndxBalanceSchema = z.object({
  accountId: text,
  currency: text,
  currentBalance: decimal,
  availableBalance: decimal,
  pendingBalance: decimal,
  asOf: timestamp,
});
export const IndxDepositLocationSchema = z.object({ id: text, accountId: text, type: z.string(), currency: text });
export const IndxExternalAccountSchema = z.object({ id: text, name: z.string(), currency: text, status: z.string() });
export const IndxTransactionSchema = z.object({
  id: text,
  accountId: text,
  type: text,
  status: z.enum(['pending', 'completed', 'failed']),
  amount: decimal,
  currency: text,
  description: z.string(),
  reference: z.string().nullable().optional(),
  counterparty: z.string().nullable(),
  wireTransferId: z.string().nullable(),
  transferId: z.string().nullable(),
  createdAt: timestamp,
  completedAt: timestamp.nullable(),
});
export const IndxTransactionPageSchema = z.object({
  data: z.array(z.unknown()),
  pagination: z.object({ limit: z.string(), hasMore: z.boolean(), nextCursor: z.string().nullable() }),
});
export const IndxWireSchema = z.object({
  id: text,
  accountId: text,
  externalAccountId: text,
  amount: decimal,
  fee: decimal,
  currency: text,
  status: text,
  failureReason: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const IndxTransferSchema = z.object({
  id: text,
  fromAccountId: text,
  toAccountId: text,
  amount: decimal,
  currency: text,
  status: text,
  createdAt: timestamp,
  updatedAt: timestamp,
});

export type IndxAccount = z.infer<typeof IndxAccountSchema>;
export type IndxBalance = z.infer<typeof IndxBalanceSchema>;
export type IndxTransaction = z.infer<typeof IndxTransactionSchema>;
export type IndxWire = z.infer<typeof IndxWireSchema>;
export type IndxTransfer = z.infer<typeof IndxTransferSchema>;

/** A parsed object together with the provider's own JSON, which the connector keeps as it came. */
export interface WithRaw<T> {
  value: T;
  raw: LosslessJsonValue;
}

export interface TransactionPageQuery {
  limit: number;
  /** ISO 8601 date-time: only entries created at or after it. */
  startDate?: string;
  cursor?: string;
}

export interface TransactionPage {
  transactions: Array<WithRaw<IndxTransaction>>;
  hasMore: boolean;
  nextCursor: string | null;
}

export interface WireRequest {
  accountId: string;
  externalAccountId: string;
  amount: string;
  currency: string;
  reference?: string;
  memo?: string;
}

export interface TransferRequest {
  fromAccountId: string;
  toAccountId: string;
  amount: string;
  currency: string;
  description?: string;
}

/** Signs every request with the X-API-* headers of @finmesh/signing, over the exact path (base path included) and body. */
export function indxSigner(credentials: IndxCredentials): (request: SignableRequest) => Record<string, string> {
  return (request) => signIndxRequest({ method: request.method, pathWithQuery: request.pathWithQuery, ...(request.body ? { body: request.body } : {}) }, credentials);
}

/** INDX errors are `{ "error": { "code", "message" } }`; the code refines what the status says. */
export function describeIndxError(response: ErrorResponse): ProviderErrorDescription {
  const parsed = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) }).safeParse(response.json);
  if (!parsed.success) return {};
  const { code, message } = parsed.data.error;
  const description: ProviderErrorDescription = { code, ...(message === undefined ? {} : { message }) };
  if (code === 'rate_limited') return { ...description, kind: 'rate_limited' };
  if (code === 'service_unavailable' && response.retryAfterMs !== undefined) return { ...description, kind: 'retry_later' };
  return description;
}

export class IndxClient {
  constructor(private readonly http: ResilientHttpClient) {}

  async accounts(signal?: AbortSignal): Promise<Array<WithRaw<IndxAccount>>> {
    const response = await this.http.request({ endpoint: 'accounts.list', method: 'GET', path: '/v1/accounts', ...withSignal(signal) });
    return listOf(response, 'accounts.list', IndxAccountSchema);
  }

  async balance(accountId: string, signal?: AbortSignal): Promise<IndxBalance> {
    const response = await this.http.request({ endpoint: 'accounts.balance', method: 'GET', path: `/v1/accounts/${encodeURIComponent(accountId)}/balance`, ...withSignal(signal) });
    return shapeOf(response.json, 'accounts.balance', IndxBalanceSchema);
  }

  async depositLocations(accountId: string, signal?: AbortSignal): Promise<Array<WithRaw<z.infer<typeof IndxDepositLocationSchema>>>> {
    const response = await this.http.request({
      endpoint: 'accounts.deposit-locations',
      method: 'GET',
      path: `/v1/accounts/${encodeURIComponent(accountId)}/deposit-locations`,
      ...withSignal(signal),
    });
    return listOf(response, 'accounts.deposit-locations', IndxDepositLocationSchema);
  }

  async externalAccounts(signal?: AbortSignal): Promise<Array<WithRaw<z.infer<typeof IndxExternalAccountSchema>>>> {
    const response = await this.http.request({ endpoint: 'external-accounts.list', method: 'GET', path: '/v1/external-accounts', ...withSignal(signal) });
    return listOf(response, 'external-accounts.list', IndxExternalAccountSchema);
  }

  /** One page of transactions, newest first. */
  async transactions(query: TransactionPageQuery, signal?: AbortSignal): Promise<TransactionPage> {
    const response = await this.http.request({
      endpoint: 'transactions.list',
      method: 'GET',
      path: '/v1/transactions',
      query: [
        ['limit', String(query.limit)],
        ['startDate', query.startDate],
        ['cursor', query.cursor],
      ],
      ...withSignal(signal),
    });
    const page = shapeOf(response.json, 'transactions.list', IndxTransactionPageSchema);
    return {
      transactions: page.data.map((raw) => ({ value: shapeOf(raw as LosslessJsonValue, 'transactions.list', IndxTransactionSchema), raw: raw as LosslessJsonValue })),
      hasMore: page.pagination.hasMore,
      nextCursor: page.pagination.nextCursor,
    };
  }

  async createWire(request: WireRequest, idempotencyKey: string, signal?: AbortSignal): Promise<IndxWire> {
    const response = await this.http.request({
      endpoint: 'wire-transfers.create',
      method: 'POST',
      path: '/v1/wire-transfers',
      json: request,
      headers: { 'Idempotency-Key': idempotencyKey },
      ...withSignal(signal),
    });
    return shapeOf(response.json, 'wire-transfers.create', IndxWireSchema);
  }

  async wire(id: string, signal?: AbortSignal): Promise<IndxWire> {
    const response = await this.http.request({ endpoint: 'wire-transfers.get', method: 'GET', path: `/v1/wire-transfers/${encodeURIComponent(id)}`, ...withSignal(signal) });
    return shapeOf(response.json, 'wire-transfers.get', IndxWireSchema);
  }

  async createTransfer(request: TransferRequest, idempotencyKey: string, signal?: AbortSignal): Promise<IndxTransfer> {
    const response = await this.http.request({
      endpoint: 'transfers.create',
      method: 'POST',
      path: '/v1/transfers',
      json: request,
      headers: { 'Idempotency-Key': idempotencyKey },
      ...withSignal(signal),
    });
    return shapeOf(response.json, 'transfers.create', IndxTransferSchema);
  }

  async transfer(id: string, signal?: AbortSignal): Promise<IndxTransfer> {
    const response = await this.http.request({ endpoint: 'transfers.get', method: 'GET', path: `/v1/transfers/${encodeURIComponent(id)}`, ...withSignal(signal) });
    return shapeOf(response.json, 'transfers.get', IndxTransferSchema);
  }

  /** One unretried, cheap, authenticated call: is INDX reachable with our credentials? */
  async probe(signal: AbortSignal): Promise<void> {
    await this.http.probe({ endpoint: 'external-accounts.list', method: 'GET', path: '/v1/external-accounts', signal });
  }
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** A response that does not have the documented shape is INDX failing, like a 5xx: retried, then reported. */
function shapeOf<Schema extends z.ZodType>(json: LosslessJsonValue | undefined, endpoint: string, schema: Schema): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new UpstreamError('server_error', `indx ${endpoint}: unexpected response shape (${issues.join('; ')})`, { provider: 'indx', endpoint });
}

function listOf<Schema extends z.ZodType>(response: ProviderResponse, endpoint: string, schema: Schema): Array<WithRaw<z.output<Schema>>> {
  const list = shapeOf(response.json, endpoint, z.object({ data: z.array(z.unknown()) }));
  return list.data.map((raw) => ({ value: shapeOf(raw as LosslessJsonValue, endpoint, schema), raw: raw as LosslessJsonValue }));
}
