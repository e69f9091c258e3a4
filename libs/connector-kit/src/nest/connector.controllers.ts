import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { correlationIdOf } from '@finmesh/service-runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConnectorApiError } from '../api/connector-api-error';
import { SYNC_RESOURCES, type StoredResource } from '../contract/capabilities';
import type { PaymentView } from '../payments/payments-service';
import { SyncStateEntity } from '../persistence/entities';
import type { ConnectorRuntime } from '../runtime/connector-runtime';
import type { SyncCycleResult } from '../sync/sync-engine';
import { ConnectorApiExceptionFilter } from './api-exception.filter';
import { CONNECTOR_RUNTIME } from './tokens';

@Controller('v1/payments')
@UseFilters(ConnectorApiExceptionFilter)
export class PaymentsController {
  constructor(@Inject(CONNECTOR_RUNTIME) private readonly runtime: ConnectorRuntime) {}

  /** Starts a payment; the same Idempotency-Key with the same body answers the same payment (200). */
  @Post()
  async create(
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PaymentView> {
    const result = await this.runtime.payments.initiate({ idempotencyKey, body, correlationId: correlationIdOf(request.raw) });
    void reply.status(result.replayed ? 200 : 201);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return result.payment;
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<PaymentView> {
    const payment = await this.runtime.payments.get(id);
    if (!payment) throw new ConnectorApiError('not_found', `no payment ${id}`);
    return payment;
  }
}

const listQuerySchema = z.strictObject({
  parentId: z.string().min(1).max(256).optional(),
  after: z.string().min(1).max(256).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(1_000))
    .optional(),
});

interface ResourceView {
  id: string;
  parentId?: string;
  data: StoredResource['data'];
  firstSeenAt: string;
  lastSeenAt: string;
}

@Controller('v1/sync')
@UseFilters(ConnectorApiExceptionFilter)
export class SyncController {
  constructor(@Inject(CONNECTOR_RUNTIME) private readonly runtime: ConnectorRuntime) {}

  /** Where each resource's sync stands. */
  @Get()
  async status(): Promise<{ data: Array<Record<string, unknown>> }> {
    const rows = await this.runtime.dataSource.getRepository(SyncStateEntity).find({ where: { connector: this.runtime.connector.name }, order: { resource: 'ASC' } });
    return {
      data: rows.map((row) => ({
        resource: row.resource,
        runInProgress: row.runId !== null,
        pagesInRun: row.pagesInRun,
        nextRunAt: row.nextRunAt?.toISOString() ?? null,
        lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null,
        consecutiveFailures: row.consecutiveFailures,
        lastError: row.lastError,
      })),
    };
  }

  /** Runs a sync cycle now (all resources, or those listed); answers when it is done. */
  @Post()
  @HttpCode(200)
  async trigger(@Body() body: unknown): Promise<SyncCycleResult> {
    const parsed = z.strictObject({ resources: z.array(z.enum(SYNC_RESOURCES)).min(1).optional() }).safeParse(body ?? {});
    if (!parsed.success) throw new ConnectorApiError('invalid_request', 'body must be {} or {"resources": [...]}', parsed.error.issues.map((issue) => issue.message));
    return this.runtime.engine.syncNow(parsed.data.resources);
  }
}

/** The kept resources the connector declares as collections: `GET /v1/<collection>` and `/v1/<collection>/<id>`. */
@Controller('v1')
@UseFilters(ConnectorApiExceptionFilter)
export class ResourcesController {
  constructor(@Inject(CONNECTOR_RUNTIME) private readonly runtime: ConnectorRuntime) {}

  @Get(':collection')
  async list(@Param('collection') collection: string, @Query() query: Record<string, string>): Promise<{ data: ResourceView[]; nextAfter: string | null }> {
    const kind = this.kindOf(collection);
    const parsed = listQuerySchema.safeParse(query);
    if (!parsed.success) throw new ConnectorApiError('invalid_request', 'query accepts parentId, after and limit (1-1000)');
    const limit = parsed.data.limit ?? 100;
    const resources = await this.runtime.resources.list(kind, {
      limit,
      ...(parsed.data.parentId === undefined ? {} : { parentId: parsed.data.parentId }),
      ...(parsed.data.after === undefined ? {} : { afterId: parsed.data.after }),
    });
    const last = resources[resources.length - 1];
    return { data: resources.map(viewOf), nextAfter: resources.length === limit && last ? last.id : null };
  }

  @Get(':collection/:id')
  async get(@Param('collection') collection: string, @Param('id') id: string): Promise<ResourceView> {
    const kind = this.kindOf(collection);
    const resource = await this.runtime.resources.get(kind, id);
    if (!resource) throw new ConnectorApiError('not_found', `no ${kind} ${id}`);
    return viewOf(resource);
  }

  private kindOf(collection: string): string {
    const found = this.runtime.connector.collections.find((entry) => entry.collection === collection);
    if (!found) throw new ConnectorApiError('not_found', `no collection ${collection}`);
    return found.kind;
  }
}

function viewOf(resource: StoredResource): ResourceView {
  return {
    id: resource.id,
    ...(resource.parentId === undefined ? {} : { parentId: resource.parentId }),
    data: resource.data,
    firstSeenAt: resource.firstSeenAt.toISOString(),
    lastSeenAt: resource.lastSeenAt.toISOString(),
  };
}
