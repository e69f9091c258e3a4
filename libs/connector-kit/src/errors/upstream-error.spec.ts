import { isTransientError } from '@finmesh/kafka';
import { apiCodeOfUpstream, ConnectorApiError, CONNECTOR_API_ERROR_CODES, httpStatusOf } from '../api/connector-api-error';
import { failurePolicyOf, UPSTREAM_ERROR_KINDS, UpstreamError } from './upstream-error';

describe('the upstream error taxonomy', () => {
  it('retries exactly the kinds that can succeed later', () => {
    const retryable = UPSTREAM_ERROR_KINDS.filter((kind) => failurePolicyOf(kind).retryable);
    expect(retryable).toEqual(['rate_limited', 'timeout', 'server_error', 'retry_later']);
  });

  it('lets only signs of an unwell provider open the circuit', () => {
    expect(UPSTREAM_ERROR_KINDS.filter((kind) => failurePolicyOf(kind).tripsCircuit)).toEqual(['timeout', 'server_error']);
  });

  it('never retries a request that may have been processed unless it is idempotent', () => {
    expect(failurePolicyOf('timeout').certainlyNotProcessed).toBe(false);
    expect(failurePolicyOf('server_error').certainlyNotProcessed).toBe(false);
    expect(failurePolicyOf('rate_limited').certainlyNotProcessed).toBe(true);
  });

  it('marks retryable failures transient for the Kafka consumer, and the others not', () => {
    const details = { provider: 'indx', endpoint: 'accounts.list' };
    expect(isTransientError(new UpstreamError('timeout', 'slow', details))).toBe(true);
    expect(isTransientError(new Error('wrapped', { cause: new UpstreamError('server_error', 'down', details) }))).toBe(true);
    expect(isTransientError(new UpstreamError('invalid_request', 'bad', details))).toBe(false);
  });

  it('maps every kind to an API error with a status, and every API code to a status', () => {
    for (const kind of UPSTREAM_ERROR_KINDS) expect(CONNECTOR_API_ERROR_CODES).toContain(apiCodeOfUpstream(kind));
    for (const code of CONNECTOR_API_ERROR_CODES) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    expect(apiCodeOfUpstream('unauthorized')).toBe('provider_auth_failed');
    expect(httpStatusOf('idempotency_conflict')).toBe(409);
  });

  it('turns a retryable provider failure into a 503 with Retry-After', () => {
    const error = ConnectorApiError.fromUpstream(
      new UpstreamError('rate_limited', 'indx wires.create: HTTP 429', { provider: 'indx', endpoint: 'wires.create', httpStatus: 429, retryAfterMs: 2_500 }),
    );
    expect(error.status).toBe(503);
    expect(error.retryAfterSeconds).toBe(3);
    expect(error.body().error.code).toBe('provider_unavailable');
    const refused = ConnectorApiError.fromUpstream(new UpstreamError('invalid_request', 'no', { provider: 'indx', endpoint: 'wires.create', httpStatus: 422 }));
    expect(refused.status).toBe(422);
    expect(refused.retryAfterSeconds).toBeUndefined();
  });
});
