import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { ACCEPTED_MEDIA_TYPES } from './bodies';

/**
 * Bodies are read as raw bytes and nothing else: signatures are verified over exactly what was
 * sent, and parsing happens only after verification (never by the framework, never on a body
 * that may be hostile and unauthenticated). JSON, form and multipart bodies are accepted up to
 * `bodyLimit`; any other content type is refused (415) before its body is read.
 */
export function registerRawBodyParsers(adapter: FastifyAdapter, bodyLimit: number): void {
  const fastify = adapter.getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser([...ACCEPTED_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    done(null, body);
  });
}
