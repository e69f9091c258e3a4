import { UpstreamError } from '@finmesh/connector-kit';
import { parseJsonLosslessly } from '@finmesh/schemas';
import { describeIndexoError, isConsentUnusable, linkPath } from './client';

const BASE = 'http://127.0.0.1:4010/indexo';

describe('linkPath', () => {
  it('resolves INDEXO hrefs (relative to the API root) below the base URL', () => {
    expect(linkPath('v1/consents/abc/authorisations/def', BASE)).toBe('/external/openbanking/api/v1/consents/abc/authorisations/def');
    expect(linkPath('v1/accounts/a1/transactions?dateFrom=2025-01-01&bookingStatus=both&page=2', BASE)).toBe(
      '/external/openbanking/api/v1/accounts/a1/transactions?dateFrom=2025-01-01&bookingStatus=both&page=2',
    );
    expect(linkPath('/external/openbanking/api/v1/consents/abc/status', BASE)).toBe('/external/openbanking/api/v1/consents/abc/status');
    expect(linkPath('http://127.0.0.1:4010/indexo/external/openbanking/api/v1/consents/abc', BASE)).toBe('/external/openbanking/api/v1/consents/abc');
  });

  it('refuses links that would leave the API', () => {
    expect(() => linkPath('https://evil.example/external/openbanking/api/v1/consents/abc', BASE)).toThrow(UpstreamError);
    expect(() => linkPath('v1/consents/../../admin', BASE)).toThrow(UpstreamError);
    expect(() => linkPath('admin/v1', BASE)).toThrow(UpstreamError);
  });
});

describe('describeIndexoError', () => {
  const response = (status: number, body: string, retryAfterMs?: number) => ({
    status,
    headers: {},
    json: parseJsonLosslessly(body),
    retryAfterMs,
  });

  it('reads Berlin Group tppMessages and refines the kind by code', () => {
    expect(describeIndexoError(response(429, '{"tppMessages":[{"category":"ERROR","code":"ACCESS_EXCEEDED","text":"Too many requests."}]}'))).toEqual({
      code: 'ACCESS_EXCEEDED',
      message: 'Too many requests.',
      kind: 'rate_limited',
    });
    expect(describeIndexoError(response(503, '{"tppMessages":[{"category":"ERROR","code":"SERVICE_UNAVAILABLE"}]}', 2_000)).kind).toBe('retry_later');
    expect(describeIndexoError(response(503, '{"tppMessages":[{"category":"ERROR","code":"SERVICE_UNAVAILABLE"}]}')).kind).toBe('server_error');
    expect(describeIndexoError(response(401, '{"tppMessages":[{"category":"ERROR","code":"CONSENT_EXPIRED","text":"expired"}]}')).kind).toBe('unauthorized');
    expect(describeIndexoError(response(400, '{"tppMessages":[{"category":"ERROR","code":"FORMAT_ERROR","text":"bad"}]}'))).toEqual({ code: 'FORMAT_ERROR', message: 'bad' });
  });

  it('reads the API gateway answer to a bad subscription key', () => {
    expect(describeIndexoError(response(401, '{"statusCode":401,"message":"Access denied due to invalid subscription key."}'))).toEqual({
      code: 'APIM_401',
      message: 'Access denied due to invalid subscription key.',
    });
  });

  it('knows which failures make a consent unusable', () => {
    const expired = new UpstreamError('unauthorized', 'expired', { provider: 'indexo', endpoint: 'accounts.list', providerCode: 'CONSENT_EXPIRED' });
    const certificate = new UpstreamError('unauthorized', 'cert', { provider: 'indexo', endpoint: 'accounts.list', providerCode: 'CERTIFICATE_INVALID' });
    expect(isConsentUnusable(expired)).toBe(true);
    expect(isConsentUnusable(certificate)).toBe(false);
  });
});
