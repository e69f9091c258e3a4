import { Body, Controller, Delete, Headers, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ConnectorApiError } from '@finmesh/connector-kit';
import type { LosslessJsonValue } from '@finmesh/schemas';
import { correlationIdOf } from '@finmesh/service-runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FinxAccountCommands, type CommandResult } from './account-commands';

export const FINX_ACCOUNT_COMMANDS = Symbol('finx-account-commands');

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * `POST /v1/accounts`, `PUT /v1/accounts/:id`, `DELETE /v1/accounts/:id`, each with an
 * Idempotency-Key. Reading (`GET /v1/accounts[/:id]`) is the kit's collection of kept accounts.
 */
@Controller('v1/accounts')
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
