import type { Sandbox } from '../sandbox';
import { API, indexoHeaders } from '../testing/indexo-requests';
import { createTestSandbox, json } from '../testing/sandbox-fixture';

describe('INDEXO required headers (Ocp-Apim-Subscription-Key, X-Request-ID, PSU-ID, PSU-IP-Address, x-clientcert)', () => {
  let sandbox: Sandbox;
  let psuId: string;
  let wallTime: number;

  beforeAll(async () => {
    wallTime = Date.parse('2025-03-03T09:00:00Z');
    sandbox = await createTestSandbox({ liveActivity: false, wallClock: () => wallTime });
    psuId = sandbox.groundTruth('indexo').find((account) => account.references.psuId !== 'SANDBOX_INDICATOR_1')?.references.psuId ?? '';
  });

  afterAll(async () => {
    await sandbox.close();
  });

  const consentStatus = (headers: Record<string, string>) =>
    sandbox.app.inject({ method: 'GET', url: `${API}/consents/00000000-0000-4000-8000-000000000000/status`, headers });

  it('passes a correct set of headers through to the API (an unknown consent here)', async () => {
    const response = await consentStatus(indexoHeaders(psuId, { 'x-request-id': 'f4c5c3a6-315b-4ad7-8672-4eafc50887f3' }));
    expect(response.statusCode).toBe(403);
    expect(response.headers['x-request-id']).toBe('f4c5c3a6-315b-4ad7-8672-4eafc50887f3');
    expect(json(response)).toEqual({ tppMessages: [{ category: 'ERROR', code: 'CONSENT_UNKNOWN', text: 'The consent is not known.' }] });
  });

  it('answers a missing or wrong subscription key as the API gateway does', async () => {
    const { 'Ocp-Apim-Subscription-Key': _key, ...withoutKey } = indexoHeaders(psuId);
    const missing = await consentStatus(withoutKey);
    expect(missing.statusCode).toBe(401);
    expect(json(missing)).toEqual({
      statusCode: 401,
      message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
    });
    const wrong = await consentStatus(indexoHeaders(psuId, { 'Ocp-Apim-Subscription-Key': 'not-a-key' }));
    expect(wrong.statusCode).toBe(401);
    expect(json(wrong)).toMatchObject({ statusCode: 401, message: expect.stringContaining('invalid subscription key') });
  });

  it.each([
    ['X-Request-ID', undefined, 400, 'FORMAT_ERROR', 'Header X-Request-ID is missing.'],
    ['X-Request-ID', 'not-a-uuid', 400, 'FORMAT_ERROR', 'Header X-Request-ID is not a UUID.'],
    ['PSU-IP-Address', 'localhost', 400, 'FORMAT_ERROR', 'Header PSU-IP-Address is not an IP address.'],
    ['PSU-ID', undefined, 400, 'FORMAT_ERROR', 'Header PSU-ID is missing.'],
    ['PSU-ID', '12345', 400, 'FORMAT_ERROR', 'PSU-ID must be a personal code formatted XXXXXX-XXXXX.'],
    ['PSU-ID', '999999-99999', 401, 'PSU_CREDENTIALS_INVALID', 'The PSU-ID is not known to INDEXO.'],
    ['x-clientcert', undefined, 400, 'FORMAT_ERROR', 'Header x-clientcert is missing.'],
    ['x-clientcert', 'bm90IGEgY2VydA==', 401, 'CERTIFICATE_INVALID', 'The QWAC certificate is not valid: header x-clientcert is not a base64 DER X.509 certificate.'],
  ])('refuses %s = %s', async (name, value, status, code, text) => {
    const headers = indexoHeaders(psuId);
    if (value === undefined) delete headers[name];
    else headers[name] = value;
    const response = await consentStatus(headers);
    expect(response.statusCode).toBe(status);
    expect(json(response)).toEqual({ tppMessages: [{ category: 'ERROR', code, text }] });
  });

  it('refuses a certificate outside its validity period', async () => {
    wallTime = Date.parse('2035-01-01T00:00:00Z');
    const response = await consentStatus(indexoHeaders(psuId));
    wallTime = Date.parse('2025-03-03T09:00:00Z');
    expect(response.statusCode).toBe(401);
    expect(json(response)).toMatchObject({ tppMessages: [{ code: 'CERTIFICATE_INVALID' }] });
  });

  it('answers unknown routes with its 404 shape', async () => {
    const response = await sandbox.app.inject({ method: 'GET', url: `${API}/payments/instant-sepa-credit-transfers/x`, headers: indexoHeaders(psuId) });
    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual({ tppMessages: [{ category: 'ERROR', code: 'RESOURCE_UNKNOWN', text: 'The addressed resource is unknown.' }] });
  });
});

describe('INDEXO sandbox rules: PSU-ID must be SANDBOX_INDICATOR_1', () => {
  it('refuses any other PSU', async () => {
    const sandbox = await createTestSandbox({ liveActivity: false, indexo: { sandboxRules: true } });
    const response = await sandbox.app.inject({ method: 'GET', url: `${API}/consents/x/status`, headers: indexoHeaders('010190-12345') });
    await sandbox.close();
    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual({
      tppMessages: [{ category: 'ERROR', code: 'PSU_CREDENTIALS_INVALID', text: 'In the sandbox the PSU-ID header must be SANDBOX_INDICATOR_1.' }],
    });
  });
});
