import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ConnectorApiError, type ApiErrorBody } from '../api/connector-api-error';
import { describeError } from '../logging';
import type { ConnectorRuntime } from '../runtime/connector-runtime';
import { CONNECTOR_RUNTIME } from './tokens';

/**
 * Every error of the connector's own API as `{ "error": { code, message, details? } }`, never a
 * stack. Bound to the connector's controllers only: health and metrics answer in their own format.
 */
@Catch()
export class ConnectorApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(CONNECTOR_RUNTIME) private readonly runtime: ConnectorRuntime) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ConnectorApiError) {
      if (exception.retryAfterSeconds !== undefined) void reply.header('retry-after', String(exception.retryAfterSeconds));
      void reply.status(exception.status).send(exception.body());
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = status === 404 ? 'not_found' : status >= 500 ? 'internal' : 'invalid_request';
      const body: ApiErrorBody = { error: { code, message: exception.message } };
      void reply.status(status).send(body);
      return;
    }
    this.runtime.log.error('unexpected error in the connector API', { error: describeError(exception) });
    const body: ApiErrorBody = { error: { code: 'internal', message: 'an internal error occurred' } };
    void reply.status(500).send(body);
  }
}
