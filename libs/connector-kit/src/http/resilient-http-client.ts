import { Buffer } from 'node:buffer';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import { parseJsonLosslessly, type LosslessJsonValue } from '@finmesh/schemas';
import { Agent, request as undiciRequest } from 'undici';
import { failurePolicyOf, UpstreamError, type UpstreamErrorKind } from '../errors/upstream-error';
import { RateLimiter, type LimiterClock, type RateLimit } from './rate-limiter';
import { parseRetryAfter } from './retry-after';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ProviderRequest {
  /** Logical endpoint name for metrics, rate limits and errors (`transactions.list`). */
  endpoint: string;
  method: HttpMethod;
  /** Below the base URL's path: `/v1/transactions`. */
  path: string;
  /** Written in the given order; undefined values are left out. */
  query?: ReadonlyArray<readonly [string, string | undefined]>;
  headers?: Readonly<Record<string, string>>;
  /** A JSON body: serialized once, so every attempt (and its signature) carries the same bytes. */
  json?: unknown;
  /**
   * Safe to send twice. GET, PUT and DELETE are; POST and PATCH only with an Idempotency-Key.
   * A request that is not idempotent is retried only when the provider certainly did not process it.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface ProviderResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  /** The body parsed with every number kept as its exact decimal text; undefined when empty. */
  json: LosslessJsonValue | undefined;
}

/** What the signer sees of a request: exactly what goes on the wire. */
export interface SignableRequest {
  method: HttpMethod;
  /** Path of the full URL (base path included) with the query string, as sent. */
  pathWithQuery: string;
  body: Buffer | undefined;
}

export type RequestSigner = (request: SignableRequest) => Readonly<Record<string, string>>;

/** A non-2xx answer as the classifier sees it. */
export interface ErrorResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  /** Parsed body when it was JSON. */
  json: LosslessJsonValue | undefined;
  retryAfterMs: number | undefined;
}

/** The provider's code and message from an error body (for the error message and the kind). */
export interface ProviderErrorDescription {
  code?: string;
  message?: string;
  /** Overrides the kind derived from the HTTP status (a provider that says "rate_limited" with a 400). */
  kind?: UpstreamErrorKind;
}

export type CircuitStateName = 'closed' | 'open' | 'half_open';

export interface HttpClientObserver {
  requestCompleted?(info: { endpoint: string; method: HttpMethod; outcome: 'ok' | UpstreamErrorKind; status?: number; durationMs: number }): void;
  retryScheduled?(info: { endpoint: string; kind: UpstreamErrorKind; attempt: number; delayMs: number }): void;
  circuitStateChanged?(state: CircuitStateName): void;
}

export interface ResilientHttpClientOptions {
  provider: string;
  /** Scheme, host and optional base path: `https://api.example.com/indx`. */
  baseUrl: string;
  timeouts?: { connectMs?: number; responseMs?: number; bodyMs?: number };
  retry?: { maxRetries?: number; initialDelayMs?: number; maxDelayMs?: number };
  circuitBreaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  rateLimits?: { provider?: RateLimit; endpoints?: Readonly<Record<string, RateLimit>> };
  /** Adds the provider's authentication headers; called for every attempt (fresh nonce and timestamp). */
  sign?: RequestSigner;
  /** Reads the provider's error body. */
  describeError?: (response: ErrorResponse) => ProviderErrorDescription;
  observer?: HttpClientObserver;
  maxResponseBytes?: number;
  connections?: number;
  /** Tests inject these; production uses the system clock and Math.random. */
  clock?: LimiterClock;
  random?: () => number;
}

const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'PUT', 'DELETE']);

/** Derives the kind from the status alone; providers refine it with describeError. */
export function kindOfHttpStatus(status: number, retryAfterGiven: boolean): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 503 && retryAfterGiven) return 'retry_later';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}

/**
 * The HTTP client every connector uses to speak to its provider: undici with connect, response
 * and body timeouts; a token-bucket rate limit per provider and per endpoint; retries with
 * jittered exponential backoff for retryable failures only (Retry-After honoured, and applied to
 * the whole endpoint); a circuit breaker that opens after consecutive timeouts or server errors
 * and fails fast while open. Every failure leaves as an UpstreamError of one kind.
 */
export class ResilientHttpClient {
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly limiter: RateLimiter;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly maxRetries: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: ResilientHttpClientOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl.slice(0, -1) : options.baseUrl);
    const timeouts = options.timeouts ?? {};
    this.agent = new Agent({
      connect: { timeout: timeouts.connectMs ?? 5_000 },
      headersTimeout: timeouts.responseMs ?? 15_000,
      bodyTimeout: timeouts.bodyMs ?? timeouts.responseMs ?? 15_000,
      connections: options.connections ?? 16,
    });
    this.limiter = new RateLimiter({ ...options.rateLimits, ...(options.clock ? { clock: options.clock } : {}) });
    this.random = options.random ?? Math.random;
    this.now = options.clock ? () => options.clock?.now() ?? Date.now() : Date.now;
    this.maxRetries = options.retry?.maxRetries ?? 4;
    this.initialDelayMs = options.retry?.initialDelayMs ?? 200;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 10_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof UpstreamError && failurePolicyOf(error.kind).tripsCircuit),
      {
        halfOpenAfter: options.circuitBreaker?.halfOpenAfterMs ?? 15_000,
        breaker: new ConsecutiveBreaker(options.circuitBreaker?.consecutiveFailures ?? 5),
      },
    );
    this.breaker.onStateChange((state) => options.observer?.circuitStateChanged?.(circuitStateName(state)));
  }

  get provider(): string {
    return this.options.provider;
  }

  get circuitState(): CircuitStateName {
    return circuitStateName(this.breaker.state);
  }

  /** Sends the request with the client's policies; resolves with a 2xx answer or rejects with an UpstreamError. */
  async request(request: ProviderRequest): Promise<ProviderResponse> {
    const idempotent = request.idempotent ?? (IDEMPOTENT_METHODS.has(request.method) || hasHeader(request.headers, 'idempotency-key'));
    const body = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json), 'utf8');
    const policy = retry(
      handleWhen((error) => this.shouldRetry(error, idempotent)),
      {
        maxAttempts: this.maxRetries,
        backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) => this.retryDelay(context, request.endpoint)),
      },
    );
    return policy.execute(() => this.throughBreaker(request, body), request.signal);
  }

  /** A single attempt without retries (readiness probes): the breaker and rate limits still apply. */
  async probe(request: ProviderRequest): Promise<ProviderResponse> {
    const body = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json), 'utf8');
    return this.throughBreaker(request, body);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** One attempt through the circuit breaker; an open circuit fails fast as retry_later. */
  private async throughBreaker(request: ProviderRequest, body: Buffer | undefined): Promise<ProviderResponse> {
    try {
      return await this.breaker.execute(() => this.attempt(request, body), request.signal);
    } catch (error: unknown) {
      if (error instanceof BrokenCircuitError) {
        throw new UpstreamError('retry_later', `${this.options.provider} ${request.endpoint}: circuit open after repeated failures`, {
          provider: this.options.provider,
          endpoint: request.endpoint,
          circuitOpen: true,
          cause: error,
        });
      }
      throw error;
    }
  }

  private shouldRetry(error: Error, idempotent: boolean): boolean {
    if (!(error instanceof UpstreamError) || error.circuitOpen) return false;
    const policy = failurePolicyOf(error.kind);
    return policy.retryable && (idempotent || policy.certainlyNotProcessed);
  }

  private retryDelay(context: IRetryBackoffContext<unknown>, endpoint: string): number {
    const ceiling = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(context.attempt - 1, 20));
    // Equal jitter: never less than half the ceiling, so replicas spread out without hammering early.
    let delay = Math.round(ceiling / 2 + this.random() * (ceiling / 2));
    const error = 'error' in context.result ? context.result.error : undefined;
    if (error instanceof UpstreamError) {
      if (error.retryAfterMs !== undefined) delay = Math.max(delay, error.retryAfterMs);
      this.options.observer?.retryScheduled?.({ endpoint, kind: error.kind, attempt: context.attempt, delayMs: delay });
    }
    return delay;
  }

  private async attempt(request: ProviderRequest, body: Buffer | undefined): Promise<ProviderResponse> {
    await this.limiter.acquire(request.endpoint, request.signal);
    const pathWithQuery = this.pathWithQuery(request);
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, this.options.sign?.({ method: request.method, pathWithQuery, body }));
    const started = this.now();
    const fail = (kind: UpstreamErrorKind, message: string, extra: { status?: number; providerCode?: string; retryAfterMs?: number; cause?: unknown } = {}): UpstreamError => {
      this.options.observer?.requestCompleted?.({
        endpoint: request.endpoint,
        method: request.method,
        outcome: kind,
        ...(extra.status === undefined ? {} : { status: extra.status }),
        durationMs: this.now() - started,
      });
      return new UpstreamError(kind, `${this.options.provider} ${request.endpoint}: ${message}`, {
        provider: this.options.provider,
        endpoint: request.endpoint,
        ...(extra.status === undefined ? {} : { httpStatus: extra.status }),
        ...(extra.providerCode === undefined ? {} : { providerCode: extra.providerCode }),
        ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
        ...(extra.cause === undefined ? {} : { cause: extra.cause }),
      });
    };

    let status: number;
    let responseHeaders: Record<string, string>;
    let text: string;
    try {
      const response = await undiciRequest(new URL(pathWithQuery, this.base.origin), {
        dispatcher: this.agent,
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      status = response.statusCode;
      responseHeaders = flattenHeaders(response.headers);
      text = await readBounded(response.body, this.maxResponseBytes);
    } catch (error: unknown) {
      if (request.signal?.aborted) throw error;
      const kind = kindOfTransportError(error);
      throw fail(kind, describeTransportError(error), { cause: error });
    }

    let json: LosslessJsonValue | undefined;
    let unreadable = false;
    if (text.trim() !== '') {
      try {
        json = parseJsonLosslessly(text);
      } catch {
        unreadable = true;
      }
    }

    if (status >= 200 && status < 300) {
      // A 2xx whose body is cut off or not JSON is the provider failing, not an answer.
      if (unreadable) throw fail('server_error', `HTTP ${status} with a body that is not valid JSON`, { status });
      this.options.observer?.requestCompleted?.({ endpoint: request.endpoint, method: request.method, outcome: 'ok', status, durationMs: this.now() - started });
      return { status, headers: responseHeaders, json };
    }

    const retryAfterMs = parseRetryAfter(responseHeaders['retry-after'], Date.now());
    const description = this.options.describeError?.({ status, headers: responseHeaders, json, retryAfterMs }) ?? {};
    const kind = description.kind ?? kindOfHttpStatus(status, retryAfterMs !== undefined);
    if (retryAfterMs !== undefined && (kind === 'rate_limited' || kind === 'retry_later')) {
      this.limiter.pause(Date.now() + retryAfterMs, request.endpoint);
    }
    const detail = [description.code, description.message].filter((part) => part !== undefined && part !== '').join(': ');
    throw fail(kind, `HTTP ${status}${detail === '' ? '' : ` (${detail})`}`, {
      status,
      ...(description.code === undefined ? {} : { providerCode: description.code }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  private pathWithQuery(request: ProviderRequest): string {
    const basePath = this.base.pathname === '/' ? '' : this.base.pathname;
    const query = new URLSearchParams();
    for (const [name, value] of request.query ?? []) if (value !== undefined) query.append(name, value);
    const search = query.toString();
    return `${basePath}${request.path}${search === '' ? '' : `?${search}`}`;
  }
}

function circuitStateName(state: CircuitState): CircuitStateName {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half_open';
    case CircuitState.Open:
    case CircuitState.Isolated:
      return 'open';
  }
}

function hasHeader(headers: Readonly<Record<string, string>> | undefined, name: string): boolean {
  return Object.keys(headers ?? {}).some((header) => header.toLowerCase() === name);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

async function readBounded(body: AsyncIterable<Buffer | string>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) throw Object.assign(new Error(`response body larger than ${limit} bytes`), { code: 'FINMESH_BODY_TOO_LARGE' });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function kindOfTransportError(error: unknown): UpstreamErrorKind {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && TIMEOUT_CODES.has(code) ? 'timeout' : 'server_error';
}

function describeTransportError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
