import { X509Certificate, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { constantTimeEqualsAny } from './constant-time';
import { assertHeaderToken, isStrictBase64 } from './encoding';
import { readRequiredHeader, type HeaderSource } from './headers';
import {
  SigningInputError,
  VerificationFailureReason,
  verificationFailure,
  verified,
  type VerificationResult,
} from './verification';

/**
 * INDEXO Open Banking (Berlin Group NextGenPSD2) request headers. There is no request signature:
 * a call is authenticated by the APIM subscription key and the TPP's QWAC certificate, sent in
 * `x-clientcert` as the certificate's DER bytes in base64 on one line (the PEM body without its
 * BEGIN/END lines and line breaks), as in the documentation's samples.
 */
export const INDEXO_HEADERS = {
  subscriptionKey: 'Ocp-Apim-Subscription-Key',
  requestId: 'X-Request-ID',
  psuId: 'PSU-ID',
  psuIpAddress: 'PSU-IP-Address',
  clientCertificate: 'x-clientcert',
} as const;

// A type alias, not an interface, so it is assignable to header records (fetch, undici, Node).
export type IndexoRequestHeaders = {
  'Ocp-Apim-Subscription-Key': string;
  'X-Request-ID': string;
  'PSU-ID': string;
  'PSU-IP-Address': string;
  'x-clientcert': string;
};

/** A parsed QWAC certificate and its `x-clientcert` header form. */
export interface QwacCertificate {
  certificate: X509Certificate;
  /** Base64 of the DER bytes, one line. */
  headerValue: string;
}

export interface IndexoHeaderInput {
  subscriptionKey: string;
  /** The PSU's identifier (a personal code `XXXXXX-XXXXX`; `SANDBOX_INDICATOR_1` in the sandbox). */
  psuId: string;
  psuIpAddress: string;
  certificate: QwacCertificate;
}

export interface IndexoHeaderOptions {
  /** Makes the X-Request-ID; defaults to a random UUID. Injected by tests. */
  newRequestId?: () => string;
}

export interface IndexoVerifierOptions {
  /** The subscription keys the sandbox accepts (several during a rotation). */
  subscriptionKeys: readonly string[];
  /** When given, only certificates with one of these SHA-256 fingerprints (`AA:BB:…`) pass. */
  trustedCertificateFingerprints?: readonly string[];
  now?: () => Date;
}

export interface VerifiedIndexoRequest {
  requestId: string;
  psuId: string;
  psuIpAddress: string;
  certificate: X509Certificate;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;
const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DER_SEQUENCE_TAG = 0x30;
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * Parses a QWAC certificate from configuration: PEM text (the first CERTIFICATE block; other
 * blocks such as a private key are ignored), PEM text with its line breaks written as `\n` (how
 * PEM often arrives through an environment variable), base64 of PEM text, or base64 of DER.
 */
export function parseQwacCertificate(value: string): QwacCertificate {
  const text = value.trim().replace(/\\n/g, '\n');
  const pem = PEM_CERTIFICATE.exec(text);
  let der: Buffer;
  if (pem) {
    der = Buffer.from((pem[1] ?? '').replace(/\s+/g, ''), 'base64');
  } else {
    const compact = text.replace(/\s+/g, '');
    if (!isStrictBase64(compact)) {
      throw new SigningInputError('the QWAC certificate is neither PEM nor base64');
    }
    const decoded = Buffer.from(compact, 'base64');
    if (decoded.subarray(0, 11).toString('latin1') === '-----BEGIN ') {
      return parseQwacCertificate(decoded.toString('utf8'));
    }
    der = decoded;
  }
  if (der[0] !== DER_SEQUENCE_TAG) throw new SigningInputError('the QWAC certificate is not DER or PEM encoded');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw new SigningInputError('the QWAC certificate is not a parseable X.509 certificate');
  }
  return { certificate, headerValue: certificate.raw.toString('base64') };
}

/** Reads a QWAC certificate from a PEM (or base64) file. */
export async function readQwacCertificateFile(path: string): Promise<QwacCertificate> {
  return parseQwacCertificate(await readFile(path, 'utf8'));
}

/** The INDEXO headers for one request, with a fresh X-Request-ID. */
export function buildIndexoHeaders(input: IndexoHeaderInput, options: IndexoHeaderOptions = {}): IndexoRequestHeaders {
  assertHeaderToken(input.subscriptionKey, 'the INDEXO subscription key');
  if (input.psuId === '' || CONTROL_CHARACTER.test(input.psuId)) {
    throw new SigningInputError('the PSU-ID must be non-empty and free of control characters');
  }
  if (isIP(input.psuIpAddress) === 0) throw new SigningInputError('the PSU-IP-Address is not an IP address');
  const requestId = (options.newRequestId ?? randomUUID)();
  if (!UUID_FORMAT.test(requestId)) throw new SigningInputError('the X-Request-ID must be a UUID');
  return {
    'Ocp-Apim-Subscription-Key': input.subscriptionKey,
    'X-Request-ID': requestId,
    'PSU-ID': input.psuId,
    'PSU-IP-Address': input.psuIpAddress,
    'x-clientcert': input.certificate.headerValue,
  };
}

/**
 * The sandbox's check of an INDEXO request: every header present, the subscription key known
 * (constant-time), X-Request-ID a UUID, PSU-IP-Address an IP address, and x-clientcert a
 * base64 DER X.509 certificate within its validity period (and pinned, when fingerprints are given).
 */
export function verifyIndexoRequestHeaders(
  headers: HeaderSource,
  options: IndexoVerifierOptions,
): VerificationResult<VerifiedIndexoRequest> {
  const subscriptionKey = readRequiredHeader(headers, INDEXO_HEADERS.subscriptionKey);
  if (!subscriptionKey.ok) return subscriptionKey;
  const requestId = readRequiredHeader(headers, INDEXO_HEADERS.requestId);
  if (!requestId.ok) return requestId;
  const psuId = readRequiredHeader(headers, INDEXO_HEADERS.psuId);
  if (!psuId.ok) return psuId;
  const psuIpAddress = readRequiredHeader(headers, INDEXO_HEADERS.psuIpAddress);
  if (!psuIpAddress.ok) return psuIpAddress;
  const clientCertificate = readRequiredHeader(headers, INDEXO_HEADERS.clientCertificate);
  if (!clientCertificate.ok) return clientCertificate;

  if (!constantTimeEqualsAny(options.subscriptionKeys, subscriptionKey.value)) {
    return verificationFailure(
      VerificationFailureReason.UnknownKey,
      `header ${INDEXO_HEADERS.subscriptionKey} names no known subscription`,
    );
  }
  if (!UUID_FORMAT.test(requestId.value)) {
    return verificationFailure(VerificationFailureReason.MalformedHeader, `header ${INDEXO_HEADERS.requestId} is not a UUID`);
  }
  if (isIP(psuIpAddress.value) === 0) {
    return verificationFailure(VerificationFailureReason.MalformedHeader, `header ${INDEXO_HEADERS.psuIpAddress} is not an IP address`);
  }

  const certificate = certificateFromHeader(clientCertificate.value);
  if (certificate === undefined) {
    return verificationFailure(
      VerificationFailureReason.InvalidCertificate,
      `header ${INDEXO_HEADERS.clientCertificate} is not a base64 DER X.509 certificate`,
    );
  }
  const now = (options.now?.() ?? new Date()).getTime();
  if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
    return verificationFailure(
      VerificationFailureReason.InvalidCertificate,
      `header ${INDEXO_HEADERS.clientCertificate} holds a certificate outside its validity period`,
    );
  }
  const pins = options.trustedCertificateFingerprints;
  if (pins !== undefined && !constantTimeEqualsAny(pins.map((pin) => pin.toUpperCase()), certificate.fingerprint256)) {
    return verificationFailure(
      VerificationFailureReason.InvalidCertificate,
      `header ${INDEXO_HEADERS.clientCertificate} holds a certificate that is not trusted`,
    );
  }
  return verified({ requestId: requestId.value, psuId: psuId.value, psuIpAddress: psuIpAddress.value, certificate });
}

function certificateFromHeader(value: string): X509Certificate | undefined {
  if (!isStrictBase64(value)) return undefined;
  const der = Buffer.from(value, 'base64');
  // X509Certificate also parses PEM text; the header carries DER, which starts with a SEQUENCE tag.
  if (der[0] !== DER_SEQUENCE_TAG) return undefined;
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}
