import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildIndexoHeaders,
  parseQwacCertificate,
  readQwacCertificateFile,
  verifyIndexoRequestHeaders,
  type IndexoRequestHeaders,
  type IndexoVerifierOptions,
  type QwacCertificate,
} from './indexo';
import { SigningInputError, VerificationFailureReason, type VerificationResult } from './verification';

// The documentation's sample x-clientcert (a sandbox QWAC, valid 2024-09-26 to 2034-09-24).
const DOC_SAMPLE_CERT_HEADER =
  'MIIG5DCCBMygAwIBAgIUGsVIuXEO1TYNehhqwn0Ap6hCcXQwDQYJKoZIhvcNAQELBQAwgZsxCzAJBgNVBAYTAkxWMQ8wDQYDVQQIDAZMYXR2aWExDTALBgNVBAcMBFJpZ2ExGzAZBgNVBAoMEk9CSU1fQ0VSVF9ST0xFX0FMTDEbMBkGA1UECwwST0JJTV9DRVJUX1JPTEVfQUxMMRswGQYDVQQDDBJPQklNX0NFUlRfUk9MRV9BTEwxFTATBgNVBGEMDFRQUC1ST0xFLUFMTDAeFw0yNDA5MjYwODUyMjdaFw0zNDA5MjQwODUyMjdaMIGbMQswCQYDVQQGEwJMVjEPMA0GA1UECAwGTGF0dmlhMQ0wCwYDVQQHDARSaWdhMRswGQYDVQQKDBJPQklNX0NFUlRfUk9MRV9BTEwxGzAZBgNVBAsMEk9CSU1fQ0VSVF9ST0xFX0FMTDEbMBkGA1UEAwwST0JJTV9DRVJUX1JPTEVfQUxMMRUwEwYDVQRhDAxUUFAtUk9MRS1BTEwwggIiMA0GCSqGSIb3DQEBAQUAA4ICDwAwggIKAoICAQDHvxIDQwxpG6fhJk4FQj7M96dCaqXeztwiay6S8A+EPdn9o5oysYAx87giPa2ypNBey5g5zL+/TmuDqU875YgfGxdIARqYv3iaPE3noQ6qudKR1WtjhZi5AIz2AVoRdeRJ2cnJzX5sEsFJ2+gg9pCwLxWUDs0ZM0aBBGyRSlAVZo0TkTQr1OnQ+D/hEvIg4z9hN5Zx1ZJ0+6xviFbZ4sMIU4RQvVXJEUTilxjHqNRp1iq+IreiX2owgaFW+IaG3F6xtGO+kcNGdUtjL1DYfhf/3agiy8pQGs+fCTuKpaT6WN73lFB1qaf21F+QPJOqvkWe8Q2iQJUTHrtKO6K8wsZ7yxuHmEM6+4XJJsASfZqivqWlDTThUCs5kK4mQhhnT3zBEACJMl+v/cMtWjO0va8XDzhzgNzO8jP5AXm4fQWga+T+o1F4Im4jQ670MsyKNiNK6Ls/VES00stqyaQ8k/XHdX2izWE8bRONd2OAauJ3kflxkUsYoCqnMAQzKEE/A0N13MZvTr7EPHDSat0iJlChQTPwY5Hnuy2xE1Tvgvd1mymC8u7kL0cx7nbCMdmxdAI26LCI46qkqMxh+ttUrDtbheg07R7L4qal+xt5UamPqcbJydcnndDfROPdmPs+v0u4wJAJItaVxMW85OjATfr+HbMv+e8uNh6V7nTAdlOJgwIDAQABo4IBHDCCARgwggEGBggrBgEFBQcBAwSB+TCB9jAIBgYEAI5GAQEwOAYGBACORgEFMC4wLBYhaHR0cHM6Ly9leGFtcGxlLm9yZy9wa2lkaXNjbG9zdXJlEwdleGFtcGxlMIGIBgYEAIGYJwIwfjBMMBEGBwQAgZgnAQMMBlBTUF9BSTARBgcEAIGYJwEBDAZQU1BfQVMwEQYHBACBmCcBAgwGUFNQX1BJMBEGBwQAgZgnAQQMBlBTUF9JQwwlRHVtbXkgRmluYW5jaWFsIFN1cGVydmlzaW9uIEF1dGhvcml0eQwHWFgtREZTQTAlBgYEAI5GAQYwGwYHBACORgEGAQYHBACORgEGAgYHBACORgEGAzAMBgNVHRMEBTADAQH/MA0GCSqGSIb3DQEBCwUAA4ICAQBlh+Ux7MDGjzWm32O+vDOnNbb8TQkooIWshg0K86JcpttwsAN3NDAl36Hwy+i1GG4MszVav3lFn/l6PIzBQuv2Ykcetkl/A83rGiA0jxQL/sfGRAv8r8cv0CMfNTogxb1Z4e5ouUKL+1h1XPmQfBdsFwyoepS4Byy2h5GJHp/VfgsFoe7FVZsRQ421XWL/bYjUyCUVfJYwESrzVULa8r2gGwLiwmS+znr04kmcCLPzwK8MSP7Rt1fHb6mbfpivklqvDtezet2SHnjBYaPUprk5QhFkJ4unr5T+M3Teqr4V4HJUjcT+IqtyTRhSq9POZ6lkrrmTRnWf7u59yTvm4VVQ0wov0d0sdBorFU20lOlTVRyTi4lZ048ioqqLTaOl6MvHxKG+gHuUY+xG7AMujaSVPzUcprXO/AyJ6JvGGlBaf5OXo7D+R8X5qe9wZGbdGUFt1q0gvWb1WtLF/humzkGcM0G3aNT9N3a7HI89HX90BN2VvPeu1cxIz/Kpfh/Ji221PG5fiM/skLyugFzMf2EhxCBNiLDkls1IIhISK0yUUDif7w4N0gRdxOpEYChRClQQP7sdCgXYxTocjnNkXXTP8Jya2OtvJh8qb6zpcNgu9YuVb5ngs8nxcaFfcm177BHu23m9fHYGfYjvREmWW3CixBNGVuWrcITDLOlo6a6TXQ==';

const SUBSCRIPTION_KEY = '92044548c565426baecd52442f027fd1';
const REQUEST_ID = 'f4c5c3a6-315b-4ad7-8672-4eafc50887f3';

let workDir: string;
let pemPath: string;
let pemText: string;
let derBase64: string;
let qwac: QwacCertificate;

beforeAll(async () => {
  // A self-signed certificate made for this test run; openssl is part of the toolchain.
  workDir = mkdtempSync(join(tmpdir(), 'finmesh-signing-indexo-'));
  pemPath = join(workDir, 'qwac.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(workDir, 'qwac.key'), '-out', pemPath, '-days', '2',
    '-subj', '/C=LV/O=finmesh test TPP/CN=finmesh-test-qwac/organizationIdentifier=PSDLV-FCMC-TEST',
  ], { stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-in', pemPath, '-outform', 'der', '-out', join(workDir, 'qwac.der')]);
  pemText = readFileSync(pemPath, 'utf8');
  derBase64 = readFileSync(join(workDir, 'qwac.der')).toString('base64');
  qwac = await readQwacCertificateFile(pemPath);
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function headerInput() {
  return { subscriptionKey: SUBSCRIPTION_KEY, psuId: 'SANDBOX_INDICATOR_1', psuIpAddress: '83.99.204.49', certificate: qwac };
}

function verifierOptions(overrides: Partial<IndexoVerifierOptions> = {}): IndexoVerifierOptions {
  return { subscriptionKeys: [SUBSCRIPTION_KEY], ...overrides };
}

function reasonOf(result: VerificationResult<unknown>): VerificationFailureReason | 'ok' {
  return result.ok ? 'ok' : result.reason;
}

describe('loading the QWAC certificate', () => {
  it('sends the DER bytes as one line of base64, whatever form the configuration holds', () => {
    expect(qwac.headerValue).toBe(derBase64);
    expect(qwac.headerValue).not.toMatch(/\s/);
    const forms = [
      pemText,
      pemText.replace(/\n/g, '\\n'),
      Buffer.from(pemText).toString('base64'),
      derBase64,
      `  ${derBase64}\n`,
      `-----BEGIN PRIVATE KEY-----\nignored\n-----END PRIVATE KEY-----\n${pemText}`,
    ];
    for (const form of forms) {
      expect(parseQwacCertificate(form).headerValue).toBe(derBase64);
    }
  });

  it('parses the documentation sample back to its header value', () => {
    const sample = parseQwacCertificate(DOC_SAMPLE_CERT_HEADER);
    expect(sample.headerValue).toBe(DOC_SAMPLE_CERT_HEADER);
    expect(sample.certificate.subject).toContain('CN=OBIM_CERT_ROLE_ALL');
  });

  it.each([
    ['text that is neither PEM nor base64', 'not a certificate!'],
    ['base64 that is not a certificate', Buffer.from('hello world, no DER here').toString('base64')],
    ['a PEM block with a broken body', '-----BEGIN CERTIFICATE-----\nMIIBroken\n-----END CERTIFICATE-----'],
    ['an empty value', ''],
  ])('refuses %s', (_label, value) => {
    expect(() => parseQwacCertificate(value)).toThrow(SigningInputError);
  });
});

describe('buildIndexoHeaders', () => {
  it('sets the documented headers, with a fresh UUID as X-Request-ID on every request', () => {
    const first = buildIndexoHeaders(headerInput());
    const second = buildIndexoHeaders(headerInput());
    expect(first).toEqual({
      'Ocp-Apim-Subscription-Key': SUBSCRIPTION_KEY,
      'X-Request-ID': expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'PSU-ID': 'SANDBOX_INDICATOR_1',
      'PSU-IP-Address': '83.99.204.49',
      'x-clientcert': derBase64,
    });
    expect(second['X-Request-ID']).not.toBe(first['X-Request-ID']);
  });

  it('takes an injected request id generator', () => {
    expect(buildIndexoHeaders(headerInput(), { newRequestId: () => REQUEST_ID })['X-Request-ID']).toBe(REQUEST_ID);
    expect(() => buildIndexoHeaders(headerInput(), { newRequestId: () => 'req-1' })).toThrow(SigningInputError);
  });

  it.each([
    [{ psuIpAddress: 'localhost' }],
    [{ psuIpAddress: '83.99.204' }],
    [{ psuId: '' }],
    [{ psuId: 'ABC\r\nX-Injected: 1' }],
    [{ subscriptionKey: '' }],
  ])('refuses unusable input %p', (override) => {
    expect(() => buildIndexoHeaders({ ...headerInput(), ...override })).toThrow(SigningInputError);
  });

  it('accepts an IPv6 PSU address', () => {
    expect(buildIndexoHeaders({ ...headerInput(), psuIpAddress: '2001:db8::1' })['PSU-IP-Address']).toBe('2001:db8::1');
  });
});

describe('verifyIndexoRequestHeaders', () => {
  function built(overrides: Partial<IndexoRequestHeaders> = {}): Record<string, string> {
    return { ...buildIndexoHeaders(headerInput(), { newRequestId: () => REQUEST_ID }), ...overrides };
  }

  it('accepts the headers the builder makes and returns the parsed certificate', () => {
    const result = verifyIndexoRequestHeaders(built(), verifierOptions());
    expect(result).toMatchObject({
      ok: true,
      value: { requestId: REQUEST_ID, psuId: 'SANDBOX_INDICATOR_1', psuIpAddress: '83.99.204.49' },
    });
    expect(result.ok && result.value.certificate).toBeInstanceOf(X509Certificate);
    expect(result.ok && result.value.certificate.subject).toContain('CN=finmesh-test-qwac');
  });

  it('accepts the documentation sample request headers', () => {
    const headers = {
      'ocp-apim-subscription-key': SUBSCRIPTION_KEY,
      'x-request-id': REQUEST_ID,
      'psu-ip-address': '83.99.204.49',
      'psu-id': 'SANDBOX_INDICATOR_1',
      'x-clientcert': DOC_SAMPLE_CERT_HEADER,
    };
    expect(reasonOf(verifyIndexoRequestHeaders(headers, verifierOptions({ now: () => new Date('2025-06-01T00:00:00Z') })))).toBe('ok');
  });

  it.each(['Ocp-Apim-Subscription-Key', 'X-Request-ID', 'PSU-ID', 'PSU-IP-Address', 'x-clientcert'])('reports a missing %s', (header) => {
    const headers = built();
    delete headers[header];
    expect(verifyIndexoRequestHeaders(headers, verifierOptions())).toMatchObject({
      ok: false,
      reason: VerificationFailureReason.MissingHeader,
      detail: `header ${header} is missing`,
    });
  });

  it('reports an unknown subscription key, and accepts any of several during a rotation', () => {
    expect(reasonOf(verifyIndexoRequestHeaders(built(), verifierOptions({ subscriptionKeys: ['other'] })))).toBe(
      VerificationFailureReason.UnknownKey,
    );
    expect(reasonOf(verifyIndexoRequestHeaders(built(), verifierOptions({ subscriptionKeys: ['new-key', SUBSCRIPTION_KEY] })))).toBe('ok');
  });

  it.each([
    [{ 'X-Request-ID': 'request-1' }],
    [{ 'X-Request-ID': `${REQUEST_ID}0` }],
    [{ 'PSU-IP-Address': 'not-an-ip' }],
  ])('reports a malformed header %p', (override) => {
    expect(reasonOf(verifyIndexoRequestHeaders(built(override), verifierOptions()))).toBe(VerificationFailureReason.MalformedHeader);
  });

  it.each([
    // Thunks: the certificate is made in beforeAll, after this table is built.
    ['garbage', () => 'not base64 at all'],
    ['base64 that is not DER', () => Buffer.from('hello').toString('base64')],
    ['a truncated certificate', () => derBase64.slice(0, 120)],
    ['PEM text instead of DER', () => Buffer.from(pemText).toString('base64')],
  ])('reports an unparseable client certificate: %s', (_label, value) => {
    expect(reasonOf(verifyIndexoRequestHeaders(built({ 'x-clientcert': value() }), verifierOptions()))).toBe(
      VerificationFailureReason.InvalidCertificate,
    );
  });

  it('reports a certificate outside its validity period', () => {
    const afterExpiry = () => new Date(Date.parse(qwac.certificate.validTo) + 1000);
    const beforeStart = () => new Date(Date.parse(qwac.certificate.validFrom) - 1000);
    expect(reasonOf(verifyIndexoRequestHeaders(built(), verifierOptions({ now: afterExpiry })))).toBe(
      VerificationFailureReason.InvalidCertificate,
    );
    expect(reasonOf(verifyIndexoRequestHeaders(built(), verifierOptions({ now: beforeStart })))).toBe(
      VerificationFailureReason.InvalidCertificate,
    );
  });

  it('pins certificates by SHA-256 fingerprint when asked to', () => {
    const pinned = verifierOptions({ trustedCertificateFingerprints: [qwac.certificate.fingerprint256.toLowerCase()] });
    expect(reasonOf(verifyIndexoRequestHeaders(built(), pinned))).toBe('ok');
    const other = verifierOptions({ trustedCertificateFingerprints: [parseQwacCertificate(DOC_SAMPLE_CERT_HEADER).certificate.fingerprint256] });
    expect(reasonOf(verifyIndexoRequestHeaders(built(), other))).toBe(VerificationFailureReason.InvalidCertificate);
  });
});
