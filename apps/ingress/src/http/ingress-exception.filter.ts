import { Catch, HttpException, Inject, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngressMetrics } from '../ingress-metrics';
import { IngressSources } from '../sources/ingress-sources';
import { IngressError, IngressErrorCode } from './ingress-error';
import { sendError } from './replies';

/**
 * Answers what the routes did not: unknown paths, bodies Fastify refused before routing (too
 * large, wrong content type), and bugs — always as the same JSON error, never with internals.
 */
@Catch()
export class IngressExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('IngressExceptionFilter');

  constructor(
    @Inject(IngressMetrics) private readonly metrics: IngressMetrics,
    @Inject(IngressSources) private readonly sources: IngressSources,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof HttpException && exception.getStatus() >= 500) {
      // A deliberate answer of a framework part (terminus's 503 with the readiness details): pass it on.
      if (!reply.sent) void reply.code(exception.getStatus()).send(exception.getResponse());
      return;
    }
    const error = this.toIngressError(exception);
    const source = this.sources.sourceOfPath(request.url);
    if (error.code === IngressErrorCode.InternalError) {
      this.log.error({ err: exception, path: request.url.split('?', 1)[0] }, 'unexpected failure');
    } else if (error.code !== IngressErrorCode.NotFound) {
      this.metrics.rejected.inc({ source, reason: error.reason });
    }
    if (reply.sent) return;
    sendError(reply, error, request.id);
  }

  private toIngressError(exception: unknown): IngressError {
    if (exception instanceof IngressError) return exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      switch (status) {
        case 404:
          return new IngressError(IngressErrorCode.NotFound, 'no such route');
        case 413:
          return new IngressError(IngressErrorCode.PayloadTooLarge, 'the body is larger than the ingress accepts');
        case 415:
          return new IngressError(
            IngressErrorCode.UnsupportedMediaType,
            'send application/json, application/x-www-form-urlencoded or multipart/form-data',
          );
        default:
          if (status >= 400 && status < 500) return new IngressError(IngressErrorCode.MalformedRequest, 'the request is malformed');
      }
    }
    return new IngressError(IngressErrorCode.InternalError, 'the ingress failed unexpectedly', { cause: exception });
  }
}
