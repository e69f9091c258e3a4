import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, UseFilters } from '@nestjs/common';
import { correlationIdOf } from '@finmesh/service-runtime';
import type { FastifyRequest } from 'fastify';
import type { BatchView, FindigiBatches } from './batches';
import { FindigiApiExceptionFilter } from './fx.controller';

export const FINDIGI_BATCHES = Symbol('findigi-batches');

/** Batch transfers: create (Idempotency-Key), read with each item's payment, cancel what has not run, run a scheduled one now. */
@Controller('v1/batch-transfers')
@UseFilters(FindigiApiExceptionFilter)
export class BatchTransfersController {
  constructor(@Inject(FINDIGI_BATCHES) private readonly batches: FindigiBatches) {}

  @Post()
  @HttpCode(201)
  create(@Headers('idempotency-key') idempotencyKey: string | undefined, @Body() body: unknown, @Req() request: FastifyRequest): Promise<BatchView> {
    return this.batches.create(idempotencyKey, body, correlationIdOf(request.raw));
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<BatchView> {
    return this.batches.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string): Promise<BatchView> {
    return this.batches.cancel(id);
  }

  @Post(':id/execute-now')
  @HttpCode(200)
  executeNow(@Param('id') id: string): Promise<BatchView> {
    return this.batches.executeNow(id);
  }
}
