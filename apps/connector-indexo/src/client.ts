import { UpstreamError, type ErrorResponse, type ProviderErrorDescription, type ProviderResponse, type ResilientHttpClient } from '@finmesh/connector-kit';
import type { LosslessJsonValue } from '@finmesh/schemas';
import { buildIndexoHeaders, type IndexoHeaderInput } from '@finmesh/signing';
import { z } from 'zod';

/**
 * INDEXO Open Banking (Berlin Group NextGenPSD2) as the connector uses it. Every call carries the
 * documented headers (subscription key, a fresh X-Request-ID, PSU-ID, PSU-IP-Address, the QWAC in
 * x-clientcert). Resources are reached through the `_links` INDEXO returns; only the entry points
 * (create a consent, list accounts, initiate a payment) are paths the connector knows.
 */
export const INDEXO_API_ROOT = '/external/openbanking/api';

const text = z.string().min(1);
const href = z.object({ href: text });
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'must be a decimal' });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date' });
/** The challenge shown to the PSU: the documentation shows a string for consents, a number for payments. */
const challengeData = z.object({ data: z.array(z.union([z.string(), decimal])).min(1) });

export const ConsentCreatedSchema = z.object({
  consentStatus: text,
  consentId: text,
  challengeData,
  _links: z.object({ scaStatus: href, status: href, resourceDeletion: href, self: href.optional(), authorisationsIDs: href.optional() }),
});
export const PaymentCreatedSchema = z.object({
  transactionStatus: text,
  paymentId: text,
  challengeData,
  _links: z.object({ scaStatus: href, status: href, details: href.optional(), self: href.optional(), authorisationsIDs: href.optional() }),
});
export const ScaStatusSchema = z.object({ scaStatus: text });
export const ConsentStatusSchema = z.object({ consentStatus: text });
export const TransactionStatusSchema = z.object({ transactionStatus: text });
export const PaymentDetailsSchema = z.object({ debtorAccount: z.object({ iban: text }), transactionStatus: text });
export const AccountSchema = z.object({
  resourceId: text,
  iban: text,
  currency: text,
  name: z.string().optional(),
  _links: z.object({ balances: href.optional(), transactions: href.optional() }).optional(),
});
const amountSchema = z.object({ currency: text, amount: decimal });
export const BalanceSchema = z.object({
  balanceType: text,
  balanceAmount: amountSchema,
  referenceDate: isoDate.optional(),
  lastChangeDateTime: z.iso.datetime({ offset: true }).optional(),
});
export const BalancesSchema = z.object({ balances: z.array(BalanceSchema) });
export const TransactionSchema = z.object({
  transactionId: text,
  entryReference: z.string().optional(),
  endToEndId: z.string().optional(),
  bookingDate: isoDate.optional(),
  valueDate: isoDate.optional(),
  transactionAmount: amountSchema,
  creditorName: z.string().optional(),
  creditorAccount: z.object({ iban: z.string() }).optional(),
  debtorName: z.string().optional(),
  debtorAccount: z.object({ iban: z.string() }).optional(),
  remittanceInformationUnstructured: z.string().optional(),
  bankTransactionCode: z.string().optional(),
});
const TransactionsPageSchema = z.object({
  transactions: z.object({ booked: z.array(z.unknown()).default([]), pending: z.array(z.unknown()).default([]), _links: z.object({ next: href.optional() }).optional() }),
});

export type ConsentCreated = z.infer<typeof ConsentCreatedSchema>;
export type PaymentCreated = z.infer<typeof PaymentCreatedSchema>;
export type IndexoAccount = z.infer<typeof AccountSchema>;
export type IndexoBalance = z.infer<typeof BalanceSchema>;
export type IndexoTransaction = z.infer<typeof TransactionSchema>;

export interface WithRaw<T> {
  value: T;
  raw: LosslessJsonValue;
}

export interface TransactionsPage {
  booked: Array<WithRaw<IndexoTransaction>>;
  pending: Array<WithRaw<IndexoTransaction>>;
  /** The `_links.next` href, when there is another page. */
  next: string | undefined;
}

export interface ConsentRequest {
  /** IBANs to cover; empty: every account of the PSU (production only). */
  ibans: readonly string[];
  validUntil: string;
  frequencyPerDay: number;
  recurringIndicator: boolean;
}

export interface SepaCreditTransferRequest {
  creditorName: string;
  creditorIban: string;
  debtorIban?: string;
  /** Decimal text in EUR, sent as a string (the Berlin Group amount type; INDEXO reads either). */
  amount: string;
  remittanceInformationUnstructured?: string;
  endToEndIdentification?: string;
}

/** Where INDEXO should notify status changes: the ingress's notification route. */
export interface NotificationTarget {
  uri: string;
}

/** The INDEXO headers for every attempt (a retry gets a new X-Request-ID, as each is a new request). */
export function indexoSigner(input: IndexoHeaderInput): () => Record<string, string> {
  return () => ({ ...buildIndexoHeaders(input) });
}

const tppMessagesSchema = z.object({ tppMessages: z.array(z.object({ code: z.string(), text: z.string().optional() })).min(1) });
const apimSchema = z.object({ statusCode: z.union([z.number(), z.string()]), message: z.string() });

/**
 * Berlin Group `tppMessages` (and the API gateway's `{ statusCode, message }`) into the kit's
 * taxonomy; the status decides unless the code says more (ACCESS_EXCEEDED is a rate limit whatever
 * the status, SERVICE_UNAVAILABLE asks to come back later).
 */
export function describeIndexoError(response: ErrorResponse): ProviderErrorDescription {
  const tpp = tppMessagesSchema.safeParse(response.json);
  if (tpp.success) {
    const first = tpp.data.tppMessages[0];
    if (!first) return {};
    const description: ProviderErrorDescription = { code: first.code, ...(first.text === undefined ? {} : { message: first.text }) };
    switch (first.code) {
      case 'ACCESS_EXCEEDED':
        return { ...description, kind: 'rate_limited' };
      case 'SERVICE_UNAVAILABLE':
        return { ...description, kind: response.retryAfterMs === undefined ? 'server_error' : 'retry_later' };
      case 'CONSENT_UNKNOWN':
      case 'CONSENT_INVALID':
      case 'CONSENT_EXPIRED':
      case 'PSU_CREDENTIALS_INVALID':
      case 'CERTIFICATE_INVALID':
        return { ...description, kind: 'unauthorized' };
      default:
        return description;
    }
  }
  const apim = apimSchema.safeParse(response.json);
  if (apim.success) return { code: `APIM_${String(apim.data.statusCode)}`, message: apim.data.message };
  return {};
}

/** Consent problems that make a consent unusable: the sync stops using it and says why. */
export const CONSENT_UNUSABLE_CODES = new Set(['CONSENT_UNKNOWN', 'CONSENT_INVALID', 'CONSENT_EXPIRED']);

export function isConsentUnusable(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && error.providerCode !== undefined && CONSENT_UNUSABLE_CODES.has(error.providerCode);
}

/**
 * A `_links` href as a path below the base URL. INDEXO writes hrefs relative to the API root
 * (`v1/consents/…`); an absolute one must point at the configured host. Anything that could leave
 * the API (another origin, `..`) is refused rather than followed.
 */
export function linkPath(link: string, baseUrl: string): string {
  let relative: string;
  if (/^https?:\/\//i.test(link)) {
    const url = new URL(link);
    const base = new URL(baseUrl);
    const rootPath = `${base.pathname.replace(/\/+$/, '')}${INDEXO_API_ROOT}/`;
    if (url.origin !== base.origin || !url.pathname.startsWith(rootPath)) throw invalidLink(link);
    relative = `${url.pathname.slice(rootPath.length)}${url.search}`;
  } else {
    relative = link.replace(/^\/+/, '');
    const root = INDEXO_API_ROOT.replace(/^\/+/, '');
    if (relative.startsWith(`${root}/`)) relative = relative.slice(root.length + 1);
  }
  if (!/^v\d+\/[A-Za-z0-9._~\-/]+(\?[A-Za-z0-9._~\-=&%+:]*)?$/.test(relative) || relative.split(/[/?]/).includes('..')) throw invalidLink(link);
  return `${INDEXO_API_ROOT}/${relative}`;
}

function invalidLink(link: string): UpstreamError {
  return new UpstreamError('server_error', `indexo: a _links href is not below the API root (${link.slice(0, 120)})`, { provider: 'indexo', endpoint: 'links' });
}

/** Splits a link path into path and query pairs (the HTTP client writes the query itself). */
function splitLink(path: string): { path: string; query: Array<[string, string]> } {
  const at = path.indexOf('?');
  if (at < 0) return { path, query: [] };
  return { path: path.slice(0, at), query: [...new URLSearchParams(path.slice(at + 1)).entries()] };
}

export class IndexoClient {
  constructor(
    private readonly http: ResilientHttpClient,
    private readonly baseUrl: string,
  ) {}

  async createConsent(request: ConsentRequest, notification: NotificationTarget | undefined, signal?: AbortSignal): Promise<WithRaw<ConsentCreated>> {
    const references = request.ibans.map((iban) => ({ iban }));
    const response = await this.http.request({
      endpoint: 'consents.create',
      method: 'POST',
      path: `${INDEXO_API_ROOT}/v1/consents`,
      json: {
        access: { accounts: references, balances: references, transactions: references },
        recurringIndicator: request.recurringIndicator,
        validUntil: request.validUntil,
        frequencyPerDay: request.frequencyPerDay,
      },
      headers: notificationHeaders(notification),
      ...withSignal(signal),
    });
    return { value: shapeOf(response.json, 'consents.create', ConsentCreatedSchema), raw: response.json ?? null };
  }

  async scaStatus(link: string, endpoint: string, signal?: AbortSignal): Promise<string> {
    const response = await this.follow(link, endpoint, {}, signal);
    return shapeOf(response.json, endpoint, ScaStatusSchema).scaStatus;
  }

  async consentStatus(link: string, signal?: AbortSignal): Promise<string> {
    const response = await this.follow(link, 'consents.status', {}, signal);
    return shapeOf(response.json, 'consents.status', ConsentStatusSchema).consentStatus;
  }

  async deleteConsent(link: string, signal?: AbortSignal): Promise<void> {
    await this.http.request({ endpoint: 'consents.delete', method: 'DELETE', ...splitLink(linkPath(link, this.baseUrl)), ...withSignal(signal) });
  }

  async accounts(consentId: string, signal?: AbortSignal): Promise<Array<WithRaw<IndexoAccount>>> {
    const response = await this.http.request({
      endpoint: 'accounts.list',
      method: 'GET',
      path: `${INDEXO_API_ROOT}/v1/accounts`,
      headers: { 'Consent-ID': consentId },
      ...withSignal(signal),
    });
    const list = shapeOf(response.json, 'accounts.list', z.object({ accounts: z.array(z.unknown()) }));
    return list.accounts.map((raw) => ({ value: shapeOf(raw as LosslessJsonValue, 'accounts.list', AccountSchema), raw: raw as LosslessJsonValue }));
  }

  async balances(link: string, consentId: string, signal?: AbortSignal): Promise<IndexoBalance[]> {
    const response = await this.follow(link, 'accounts.balances', { 'Consent-ID': consentId }, signal);
    return shapeOf(response.json, 'accounts.balances', BalancesSchema).balances;
  }

  /** One page of an account's transactions: the first from the account's link with a query, the next ones from `_links.next` as given. */
  async transactions(link: string, consentId: string, query: Array<[string, string]>, signal?: AbortSignal): Promise<TransactionsPage> {
    const target = splitLink(linkPath(link, this.baseUrl));
    const response = await this.http.request({
      endpoint: 'accounts.transactions',
      method: 'GET',
      path: target.path,
      query: [...target.query, ...query],
      headers: { 'Consent-ID': consentId },
      ...withSignal(signal),
    });
    const page = shapeOf(response.json, 'accounts.transactions', TransactionsPageSchema);
    const parse = (raw: unknown): WithRaw<IndexoTransaction> => ({
      value: shapeOf(raw as LosslessJsonValue, 'accounts.transactions', TransactionSchema),
      raw: raw as LosslessJsonValue,
    });
    return { booked: page.transactions.booked.map(parse), pending: page.transactions.pending.map(parse), next: page.transactions._links?.next?.href };
  }

  async initiatePayment(
    request: SepaCreditTransferRequest,
    idempotencyKey: string,
    notification: NotificationTarget | undefined,
    signal?: AbortSignal,
  ): Promise<WithRaw<PaymentCreated>> {
    const response = await this.http.request({
      endpoint: 'payments.create',
      method: 'POST',
      path: `${INDEXO_API_ROOT}/v1/payments/sepa-credit-transfers`,
      json: {
        creditorName: request.creditorName,
        creditorAccount: { iban: request.creditorIban },
        ...(request.debtorIban === undefined ? {} : { debtorAccount: { iban: request.debtorIban } }),
        instructedAmount: { currency: 'EUR', amount: request.amount },
        ...(request.remittanceInformationUnstructured === undefined ? {} : { remittanceInformationUnstructured: request.remittanceInformationUnstructured }),
        ...(request.endToEndIdentification === undefined ? {} : { endToEndIdentification: request.endToEndIdentification }),
      },
      headers: { 'Idempotency-Key': idempotencyKey, ...notificationHeaders(notification) },
      ...withSignal(signal),
    });
    return { value: shapeOf(response.json, 'payments.create', PaymentCreatedSchema), raw: response.json ?? null };
  }

  async paymentStatus(link: string, signal?: AbortSignal): Promise<string> {
    const response = await this.follow(link, 'payments.status', {}, signal);
    return shapeOf(response.json, 'payments.status', TransactionStatusSchema).transactionStatus;
  }

  async paymentDetails(link: string, signal?: AbortSignal): Promise<z.infer<typeof PaymentDetailsSchema>> {
    const response = await this.follow(link, 'payments.details', {}, signal);
    return shapeOf(response.json, 'payments.details', PaymentDetailsSchema);
  }

  /** One unretried authenticated call: a consent INDEXO does not know answers 403 CONSENT_UNKNOWN only after the headers and certificate passed. */
  async probe(signal: AbortSignal): Promise<void> {
    try {
      await this.http.probe({ endpoint: 'consents.status', method: 'GET', path: `${INDEXO_API_ROOT}/v1/consents/finmesh-readiness-probe/status`, signal });
    } catch (error: unknown) {
      if (error instanceof UpstreamError && error.providerCode === 'CONSENT_UNKNOWN') return;
      throw error;
    }
  }

  private follow(link: string, endpoint: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<ProviderResponse> {
    return this.http.request({ endpoint, method: 'GET', ...splitLink(linkPath(link, this.baseUrl)), headers, ...withSignal(signal) });
  }
}

function notificationHeaders(notification: NotificationTarget | undefined): Record<string, string> {
  return notification === undefined ? {} : { 'TPP-Notification-URI': notification.uri, 'TPP-Notification-Content-Preferred': 'status=SCA,PROCESS' };
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** A response without the documented shape is INDEXO failing, like a 5xx: retried, then reported. */
export function shapeOf<Schema extends z.ZodType>(json: LosslessJsonValue | undefined, endpoint: string, schema: Schema): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new UpstreamError('server_error', `indexo ${endpoint}: unexpected response shape (${issues.join('; ')})`, { provider: 'indexo', endpoint });
}
