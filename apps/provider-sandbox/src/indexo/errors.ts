import type { FastifyReply } from 'fastify';

/**
 * INDEXO error bodies. The API sits behind Azure API Management, which answers a missing or wrong
 * `Ocp-Apim-Subscription-Key` itself (`{ statusCode, message }`); everything behind it answers in
 * Berlin Group form: `{ tppMessages: [{ category: "ERROR", code, text }] }`.
 */
export type TppMessageCode =
  | 'FORMAT_ERROR'
  | 'PSU_CREDENTIALS_INVALID'
  | 'CERTIFICATE_INVALID'
  | 'CONSENT_UNKNOWN'
  | 'CONSENT_INVALID'
  | 'CONSENT_EXPIRED'
  | 'RESOURCE_UNKNOWN'
  | 'PRODUCT_INVALID'
  | 'ACCESS_EXCEEDED'
  | 'INTERNAL_SERVER_ERROR'
  | 'SERVICE_UNAVAILABLE';

export function tppError(reply: FastifyReply, status: number, code: TppMessageCode, text: string): FastifyReply {
  return reply.code(status).send(tppBody(code, text));
}

export function tppBody(code: TppMessageCode, text: string): { tppMessages: Array<{ category: 'ERROR'; code: TppMessageCode; text: string }> } {
  return { tppMessages: [{ category: 'ERROR', code, text }] };
}

export function apimMissingKey(reply: FastifyReply): FastifyReply {
  return reply.code(401).send({
    statusCode: 401,
    message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  });
}

export function apimInvalidKey(reply: FastifyReply): FastifyReply {
  return reply.code(401).send({
    statusCode: 401,
    message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  });
}
