// Unit test of the provider HTTP client; its fake provider is a scripted HTTP server on 127.0.0.1
// in this process (no Kafka, no PostgreSQL).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectEventually } from '@finmesh/testing';
import { UpstreamError } from '../errors/upstream-error';
import { ResilientHttpClient, type CircuitStateName, type ResilientHttpClientOptions } from './resilient-http-client';

type Step = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Answers each request with the next scripted step (the last one repeats). */
class ScriptedProvider {
  readonly seen: Seen[] = [];
  private steps: Step[] = [];
  private readonly hung = new Set<ServerResponse>();
  private server: Server | undefined;
  url = '';

  script(...steps: Step[]): void {
    this.steps = steps;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
        const step = this.steps.length > 1 ? this.steps.shift() : this.steps[0];
        if (step === undefined || step === 'hang') {
          this.hung.add(response);
          return;
        }
        response.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
        response.end(step.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/base`;
  }

  async stop(): Promise<void> {
    for (const response of this.hung) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('ResilientHttpClient', () => {
  const provider = new ScriptedProvider();
  const clients: ResilientHttpClient[] = [];
  const states: CircuitStateName[] = [];

  const client = (options: Partial<ResilientHttpClientOptions> = {}): ResilientHttpClient => {
    const created = new ResilientHttpClient({
      provider: 'indx',
      baseUrl: provider.url,
      retry: { maxRetries: 3, initialDelayMs: 5, maxDelayMs: 20 },
      timeouts: { connectMs: 500, responseMs: 300 },
      circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 },
      observer: { circuitStateChanged: (state) => states.push(state) },
      ...options,
    });
    clients.push(created);
    return created;
  };

  beforeAll(() => provider.start());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    provider.seen.length = 0;
    states.length = 0;
  });
  afterAll(() => provider.stop());

  it('sends the query in order under the base path, signs every attempt, and keeps numbers exact', async () => {
    provider.script({ status: 503, body: '{}' }, { status: 200, body: '{"amount":12345678901234567890.123456789,"list":[1.10]}' });
    const signed: string[] = [];
    const response = await client({
      sign: (request) => {
        signed.push(request.pathWithQuery);
        return { 'x-signature': `sig-${signed.length}` };
      },
    }).request({ endpoint: 'tx.list', method: 'GET', path: '/v1/tx', query: [['b', '2'], ['a', '1 2'], ['skip', undefined]] });
    expect(response.json).toEqual({ amount: '12345678901234567890.123456789', list: ['1.10'] });
    expect(signed).toEqual(['/base/v1/tx?b=2&a=1+2', '/base/v1/tx?b=2&a=1+2']);
    expect(provider.seen.map((seen) => seen.headers['x-signature'])).toEqual(['sig-1', 'sig-2']);
  });

  it('gives up at once on failures that retrying cannot fix, with the kind and the provider code', async () => {
    provider.script({ status: 422, body: '{"error":{"code":"insufficient_funds","message":"no money"}}' });
    const failure = client({
      describeError: (response) => {
        const error = (response.json as { error?: { code?: string; message?: string } } | undefined)?.error;
        return { ...(error?.code === undefined ? {} : { code: error.code }), ...(error?.message === undefined ? {} : { message: error.message }) };
      },
    }).request({ endpoint: 'wires.create', method: 'POST', path: '/v1/wires', json: { amount: '1.00' }, headers: { 'Idempotency-Key': 'k1' } });
    await expect(failure).rejects.toMatchObject({ kind: 'invalid_request', providerCode: 'insufficient_funds', httpStatus: 422 });
    await expect(failure).rejects.toThrow('wires.create: HTTP 422 (insufficient_funds: no money)');
    expect(provider.seen).toHaveLength(1);
    expect(provider.seen[0]?.body).toBe('{"amount":"1.00"}');

    provider.seen.length = 0;
    provider.script({ status: 401, body: '{}' });
    await expect(client().request({ endpoint: 'accounts.list', method: 'GET', path: '/v1/accounts' })).rejects.toMatchObject({ kind: 'unauthorized' });
    expect(provider.seen).toHaveLength(1);
  });

  it('lets the provider override the kind from its error body', async () => {
    provider.script({ status: 400, body: '{"error":"slow down"}' });
    const failure = client({ retry: { maxRetries: 0 }, describeError: () => ({ kind: 'rate_limited' }) }).request({ endpoint: 'x', method: 'GET', path: '/x' });
    await expect(failure).rejects.toMatchObject({ kind: 'rate_limited' });
  });

  it('honours Retry-After on a 429 before trying again', async () => {
    provider.script({ status: 429, body: '{}', headers: { 'retry-after': '1' } }, { status: 200, body: '{"ok":true}' });
    const started = Date.now();
    await client().request({ endpoint: 'accounts.list', method: 'GET', path: '/v1/accounts' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(provider.seen).toHaveLength(2);
  });

  it('retries a POST without an Idempotency-Key only when the provider certainly did not process it', async () => {
    provider.script({ status: 500, body: '{}' }, { status: 201, body: '{}' });
    await expect(client().request({ endpoint: 'orders.create', method: 'POST', path: '/v1/orders', json: {} })).rejects.toMatchObject({ kind: 'server_error' });
    expect(provider.seen).toHaveLength(1);

    provider.seen.length = 0;
    provider.script({ status: 429, body: '{}' }, { status: 201, body: '{}' });
    await expect(client().request({ endpoint: 'orders.create', method: 'POST', path: '/v1/orders', json: {} })).resolves.toMatchObject({ status: 201 });
    expect(provider.seen).toHaveLength(2);

    provider.seen.length = 0;
    provider.script({ status: 500, body: '{}' }, { status: 201, body: '{}' });
    const keyed = client().request({ endpoint: 'orders.create', method: 'POST', path: '/v1/orders', json: {}, headers: { 'Idempotency-Key': 'k2' } });
    await expect(keyed).resolves.toMatchObject({ status: 201 });
    expect(provider.seen.map((seen) => seen.headers['idempotency-key'])).toEqual(['k2', 'k2']);
  });

  it('times out a provider that does not answer, and treats a cut-off body as a server error', async () => {
    provider.script('hang');
    await expect(client({ retry: { maxRetries: 0 } }).request({ endpoint: 'slow', method: 'GET', path: '/slow' })).rejects.toMatchObject({ kind: 'timeout' });
    provider.script({ status: 200, body: '{"data":[{"id":' });
    await expect(client({ retry: { maxRetries: 0 } }).request({ endpoint: 'cut', method: 'GET', path: '/cut' })).rejects.toMatchObject({ kind: 'server_error' });
  });

  it('opens the circuit after consecutive server errors, fails fast while open, and closes after a good test call', async () => {
    provider.script({ status: 502, body: '{}' });
    const subject = client({ retry: { maxRetries: 0 } });
    for (let i = 0; i < 3; i += 1) await expect(subject.request({ endpoint: 'a', method: 'GET', path: '/a' })).rejects.toMatchObject({ kind: 'server_error' });
    expect(subject.circuitState).toBe('open');
    const requestsWhenOpened = provider.seen.length;
    const fastFailure = await subject.request({ endpoint: 'a', method: 'GET', path: '/a' }).catch((error: unknown) => error);
    expect(fastFailure).toBeInstanceOf(UpstreamError);
    expect(fastFailure).toMatchObject({ kind: 'retry_later', circuitOpen: true });
    expect(provider.seen).toHaveLength(requestsWhenOpened);

    provider.script({ status: 200, body: '{}' });
    await expectEventually(async () => {
      await subject.request({ endpoint: 'a', method: 'GET', path: '/a' });
    }, { timeoutMs: 3_000, intervalMs: 50 });
    expect(subject.circuitState).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('does not let client errors open the circuit', async () => {
    provider.script({ status: 404, body: '{}' });
    const subject = client({ retry: { maxRetries: 0 } });
    for (let i = 0; i < 5; i += 1) await expect(subject.request({ endpoint: 'a', method: 'GET', path: '/a' })).rejects.toMatchObject({ kind: 'not_found' });
    expect(subject.circuitState).toBe('closed');
  });
});
