import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Every body reaches the routes as the exact bytes received: INDX and Indodax signatures are
 * computed over them, and each provider answers unparsable input with its own error shape, which
 * a framework-level parser error could not give.
 */
export function acceptRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
}

export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export function bodyText(request: FastifyRequest): string {
  return rawBody(request).toString('utf8');
}

export function isFormContentType(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** A query parameter given once; a repeated parameter is treated as invalid (undefined vs. string[]). */
export function queryParam(request: FastifyRequest, name: string): string | string[] | undefined {
  const query = request.query as Record<string, string | string[] | undefined>;
  return query[name];
}

export function singleQueryParam(request: FastifyRequest, name: string): string | undefined | { repeated: true } {
  const value = queryParam(request, name);
  if (Array.isArray(value)) return { repeated: true };
  return value;
}

/** The first value of a header that may be repeated. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
