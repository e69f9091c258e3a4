import { randomUUID } from 'node:crypto';

/** Request headers as Node (HTTP/1 and HTTP/2) hands them over. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Anything with request headers: an IncomingMessage, an Http2ServerRequest, a Fastify request's raw. */
export interface HeaderCarrier {
  readonly headers: RequestHeaders;
}

export const REQUEST_ID_HEADER = 'x-request-id';
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** What an incoming id may look like; anything else is replaced, never logged or echoed as sent. */
const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const requestIds = new WeakMap<HeaderCarrier, string>();

/**
 * The id of a request: the caller's `x-request-id` when it is a sane token, otherwise a new
 * UUID. Memoised per request, so Fastify's `genReqId` and the logger agree on it.
 */
export function requestIdOf(request: HeaderCarrier): string {
  const known = requestIds.get(request);
  if (known !== undefined) return known;
  const id = saneHeader(request, REQUEST_ID_HEADER) ?? randomUUID();
  requestIds.set(request, id);
  return id;
}

/**
 * The correlation id that ties everything caused by a request together (logs, published events):
 * the caller's `x-correlation-id` when sane, otherwise the request id.
 */
export function correlationIdOf(request: HeaderCarrier): string {
  return saneHeader(request, CORRELATION_ID_HEADER) ?? requestIdOf(request);
}

function saneHeader(request: HeaderCarrier, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && INCOMING_ID.test(value) ? value : undefined;
}
