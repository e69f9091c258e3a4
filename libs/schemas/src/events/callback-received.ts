import { z } from 'zod';
import { LosslessJsonValueSchema } from '../lossless-json';
import { identifierSchema, TimestampSchema, WHEN_FIELDS_VALID } from '../primitives';
import { CorrelationIdSchema, envelopeHead } from './envelope';

/**
 * Headers that carry credentials or signatures. The ingress replaces their values with
 * REDACTED_HEADER_VALUE before publishing (the presence of a header is still useful), and the
 * schema refuses a callback event in which one of them has any other value.
 */
export const SENSITIVE_HEADER_NAMES: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-callback-token',
  'x-api-key',
  'x-api-signature',
  'x-api-nonce',
  'key',
  'sign',
  'webhook-signature',
  'x-signature',
  'ocp-apim-subscription-key',
  'x-clientcert',
];
export const REDACTED_HEADER_VALUE = '[REDACTED]';

export const CALLBACK_VERIFICATION_SCHEMES = [
  'indodax-withdraw-request',
  'callback-token',
  'standard-webhooks',
  'indexo-notification',
] as const;

const HEADER_NAME_PATTERN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

export const CallbackVerificationSchema = z
  .strictObject({
    scheme: z
      .enum(CALLBACK_VERIFICATION_SCHEMES)
      .describe(
        'How the ingress verified the callback: indodax-withdraw-request (fields match a withdrawal finmesh requested), callback-token (x-callback-token, Xendit style), standard-webhooks (webhook-id/-timestamp/-signature HMAC), indexo-notification.',
      ),
    keyId: identifierSchema(128)
      .optional()
      .describe('Label of the secret that matched (several are valid during rotation); never the secret.'),
  })
  .meta({ id: 'CallbackVerification' });

export const CallbackReceivedDataSchema = z
  .strictObject({
    callbackId: identifierSchema(128).describe('Id of the stored callback in the ingress (for replay and audit).'),
    sourceName: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
      .describe('The ingress source (route) it arrived on, e.g. indodax-withdraw, findigi-xendit.'),
    idempotencyKey: identifierSchema(512).describe(
      "The source's idempotency key (webhook-id, request_id …); unique per source, the ingress dedupes on it.",
    ),
    receivedAt: TimestampSchema.describe('When the ingress received the request.'),
    contentType: identifierSchema(256).describe('Content-Type header as received.'),
    headers: z
      .record(z.string().max(256).regex(HEADER_NAME_PATTERN), z.string().max(8192))
      .describe(`Request headers, names in lower case; credentials and signatures replaced by "${REDACTED_HEADER_VALUE}".`),
    rawBodyBase64: z.base64().describe('The raw request body, byte for byte, base64-encoded (what was verified).'),
    parsedBody: LosslessJsonValueSchema.optional().describe(
      'Parsed view of the body (JSON with numbers as exact strings, or form fields as strings), when it parses.',
    ),
    verification: CallbackVerificationSchema,
  })
  .superRefine((data, context) => {
    for (const [name, value] of Object.entries(data.headers)) {
      if (SENSITIVE_HEADER_NAMES.includes(name) && value !== REDACTED_HEADER_VALUE) {
        context.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: `carries a credential or signature and must be "${REDACTED_HEADER_VALUE}"`,
        });
      }
    }
  }, WHEN_FIELDS_VALID)
  .meta({ id: 'CallbackReceivedData' });

export const CallbackReceivedEventSchema = z
  .strictObject({
    ...envelopeHead('callback.received', ['callback']),
    correlationId: CorrelationIdSchema,
    data: CallbackReceivedDataSchema,
  })
  .meta({
    id: 'CallbackReceivedEvent',
    title: 'callback.received v1',
    description:
      'A provider callback that the ingress verified and stored durably. Connectors consume it and turn it into domain events.',
  });

export type CallbackVerification = z.infer<typeof CallbackVerificationSchema>;
export type CallbackReceivedData = z.infer<typeof CallbackReceivedDataSchema>;
export type CallbackReceivedEvent = z.infer<typeof CallbackReceivedEventSchema>;

/**
 * Turns raw request headers (Node's IncomingHttpHeaders shape) into the event's header map:
 * names in lower case, repeated values joined with ", ", credentials and signatures redacted.
 */
export function redactCallbackHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [rawName, rawValue] of Object.entries(headers)) {
    if (rawValue === undefined) continue;
    const name = rawName.toLowerCase();
    const value = typeof rawValue === 'string' ? rawValue : rawValue.join(', ');
    redacted[name] = SENSITIVE_HEADER_NAMES.includes(name) ? REDACTED_HEADER_VALUE : value;
  }
  return redacted;
}
