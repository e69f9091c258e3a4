import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ZodError } from 'zod';

export type LedgerErrorCode = 'invalid_request' | 'not_found' | 'conflict' | 'internal';

/** An error of the query API, with a code clients can switch on. */
export class LedgerApiError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'LedgerApiError';
  }

  static fromZod(error: ZodError, what: string): LedgerApiError {
    return new LedgerApiError(
      'invalid_request',
      `invalid ${what}`,
      error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
}

export function httpStatusOf(code: LedgerErrorCode): number {
  switch (code) {
    case 'invalid_request':
      return 400;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'internal':
      return 500;
  }
}

/** Every error leaves as `{ error: { code, message, details? } }`; internals are never echoed. */
@Catch()
export class LedgerApiErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status: number;
    let body: { code: string; message: string; details?: unknown };
    if (exception instanceof LedgerApiError) {
      status = httpStatusOf(exception.code);
      body = { code: exception.code, message: exception.message, ...(exception.details === undefined ? {} : { details: exception.details }) };
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      body = { code: status === 404 ? 'not_found' : 'invalid_request', message: exception.message };
    } else {
      status = 500;
      body = { code: 'internal', message: 'internal error' };
    }
    void reply.status(status).send({ error: body });
  }
}
