import { UpstreamError, type ErrorResponse, type ProviderErrorDescription, type ResilientHttpClient } from '@finmesh/connector-kit';
import type { LosslessJsonValue } from '@finmesh/schemas';
import { z } from 'zod';

/**
 * The __name__ API as the connector uses it. Start from the provider's documentation: these
 * routes and fields are the generator's starting shape (a paged account list, a balance per
 * account__PAYMENTS_NOTE__). Responses are parsed losslessly, so amounts stay exact decimal
 * strings, and their shape is checked.
 */
const text = z.string().min(1);
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'must be a decimal string' });
const timestamp = z.iso.datetime({ offset: true });

export const __Name__AccountSchema = z.object({ id: text, currency: text });
export const __Name__BalanceSchema = z.object({ account_id: text, currency: text, booked: decimal, available: decimal.optional(), as_of: timestamp });
//#if payments
export const __Name__PaymentSchema = z.object({
  id: text,
  account_id: text,
  amount: decimal,
  currency: text,
  status: text,
  reason: z.string().nullable().optional(),
  updated_at: timestamp,
});
//#endif

export type __Name__Balance = z.infer<typeof __Name__BalanceSchema>;
//#if payments
export type __Name__Payment = z.infer<typeof __Name__PaymentSchema>;

export interface __Name__PaymentRequest {
  account_id: string;
  amount: string;
  currency: string;
  reference?: string;
}
//#endif

export interface AccountPage {
  accounts: Array<{ value: z.infer<typeof __Name__AccountSchema>; raw: LosslessJsonValue }>;
  nextCursor: string | null;
}

/** The provider's error body: `{ "error": { "code", "message" } }` (adapt to the documented one). */
export function describe__Name__Error(response: ErrorResponse): ProviderErrorDescription {
  const parsed = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) }).safeParse(response.json);
  if (!parsed.success) return {};
  return { code: parsed.data.error.code, ...(parsed.data.error.message === undefined ? {} : { message: parsed.data.error.message }) };
}

export class __Name__Client {
  constructor(private readonly http: ResilientHttpClient) {}

  async accounts(query: { limit: number; cursor?: string }, signal?: AbortSignal): Promise<AccountPage> {
    const response = await this.http.request({
      endpoint: 'accounts.list',
      method: 'GET',
      path: '/v1/accounts',
      query: [
        ['limit', String(query.limit)],
        ['cursor', query.cursor],
      ],
      ...(signal ? { signal } : {}),
    });
    const page = shapeOf(response.json, 'accounts.list', z.object({ data: z.array(z.unknown()), next_cursor: z.string().nullable() }));
    return {
      accounts: page.data.map((raw) => ({ value: shapeOf(raw as LosslessJsonValue, 'accounts.list', __Name__AccountSchema), raw: raw as LosslessJsonValue })),
      nextCursor: page.next_cursor,
    };
  }

  async balance(accountId: string, signal?: AbortSignal): Promise<__Name__Balance> {
    const response = await this.http.request({ endpoint: 'accounts.balance', method: 'GET', path: `/v1/accounts/${encodeURIComponent(accountId)}/balance`, ...(signal ? { signal } : {}) });
    return shapeOf(response.json, 'accounts.balance', __Name__BalanceSchema);
  }
//#if payments

  async createPayment(request: __Name__PaymentRequest, idempotencyKey: string, signal?: AbortSignal): Promise<__Name__Payment> {
    const response = await this.http.request({
      endpoint: 'payments.create',
      method: 'POST',
      path: '/v1/payments',
      json: request,
      headers: { 'Idempotency-Key': idempotencyKey },
      ...(signal ? { signal } : {}),
    });
    return shapeOf(response.json, 'payments.create', __Name__PaymentSchema);
  }

  async payment(id: string, signal?: AbortSignal): Promise<__Name__Payment> {
    const response = await this.http.request({ endpoint: 'payments.get', method: 'GET', path: `/v1/payments/${encodeURIComponent(id)}`, ...(signal ? { signal } : {}) });
    return shapeOf(response.json, 'payments.get', __Name__PaymentSchema);
  }
//#endif

  /** One unretried authenticated call for the readiness check. */
  async probe(signal: AbortSignal): Promise<void> {
    await this.http.probe({ endpoint: 'accounts.list', method: 'GET', path: '/v1/accounts', query: [['limit', '1']], signal });
  }
}

/** A response without the documented shape is the provider failing: retried like a 5xx, then reported. */
function shapeOf<Schema extends z.ZodType>(json: LosslessJsonValue | undefined, endpoint: string, schema: Schema): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new UpstreamError('server_error', `__name__ ${endpoint}: unexpected response shape (${issues.join('; ')})`, { provider: '__provider__', endpoint });
}
