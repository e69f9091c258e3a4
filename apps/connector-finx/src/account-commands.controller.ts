import { Body, Catch, Controller, Delete, Headers, HttpException, Inject, Param, Post, Put, Req, Res, UseFilters, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ConnectorApiError, describeError, type ApiErrorBody, type ConnectorLogger } from '@finmesh/connector-kit';
import type { LosslessJsonValue } from '@finmesh/schemas';
import { correlationIdOf } from '@finmesh/service-runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FinxAccountCommands, type CommandResult } from './account-commands';

export const FINX_ACCOUNT_COMMANDS = Symbol('finx-account-commands');
export const FINX_API_LOG = Symbol('finx-api-log');

/**
 * The kit's error body for this controller too. The kit registers its filter as an app filter
 * of its own module, which does not reach a controller declared in the module that imports it,
 * and it does not export the filter class: this is the same mapping.
 */
@Catch()
export class AccountCommandsExceptionFilter implements ExceptionFilter {
  constructor(@Inject(FINX_API_LOG) private readonly log: ConnectorLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ConnectorApiError) {
      if (exception.retryAfterSeconds !== undefined) void reply.header('retry-after', String(exception.retryAfterSeconds));
      void reply.status(exception.status).send(exception.body());
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body: ApiErrorBody = { error: { code: status === 404 ? 'not_found' : status >= 500 ? 'internal' : 'invalid_request', message: exception.message } };
      void reply.status(status).send(body);
      return;
    }
    this.log.error('unexpected error in the Fin X account commands', { error: describeError(exception) });
    const body: ApiErrorBody = { error: { code: 'internal', message: 'an internal error occurred' } };
    void reply.status(500).send(body);
  }
}


const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * `POST /v1/accounts`, `PUT /v1/accounts/:id`, `DELETE /v1/accounts/:id`, each with an
 * Idempotency-Key. Reading (`GET /v1/accounts[/:id]`) is the kit's collection of kept accounts.
 */
@Controller('v1/accounts')
@UseFilters(AccountCommandsExceptionFilter)
export class AccountCommandsController {
  constructor(@Inject(FINX_ACCOUNT_COMMANDS) private readonly commands: FinxAccountCommands) {}

  @Post()
  async create(
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LosslessJsonValue> {
    return answer(reply, await this.commands.create({ idempotencyKey, body, correlationId: correlationIdOf(request.raw) }));
  }

  @Put(':id')
  async update(
    @Param('id') id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LosslessJsonValue> {
    return answer(reply, await this.commands.update(accountId(id), { idempotencyKey, body, correlationId: correlationIdOf(request.raw) }));
  }

  @Delete(':id')
  async delete(
    @Param('id') id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LosslessJsonValue> {
    return answer(reply, await this.commands.delete(accountId(id), { idempotencyKey, body, correlationId: correlationIdOf(request.raw) }));
  }
}

function accountId(id: string): string {
  if (!ACCOUNT_ID.test(id)) throw new ConnectorApiError('invalid_request', 'the account id must be 1-128 letters, digits, _ or -');
  return id;
}

function answer(reply: FastifyReply, result: CommandResult): LosslessJsonValue {
  void reply.status(result.status);
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  return result.body;
}
