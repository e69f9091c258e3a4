import type { DataSource, Repository } from 'typeorm';
import type { CallbackIntake } from '../callbacks/callback-intake';
import type { CallbackRecord } from '../callbacks/callback-store';
import type { IngressMetrics } from '../ingress-metrics';
import { CallbackEntity } from '../persistence/entities';
import type { CallbackVerification, Provider } from '@finmesh/schemas';

export type ReplaySelection =
  | { kind: 'ids'; ids: readonly string[] }
  | { kind: 'range'; from: Date; to: Date; source: string | undefined };

export interface ReplayRequest {
  selection: ReplaySelection;
  /** Also publish callbacks that were never acknowledged (their provider got a 503). */
  includePending: boolean;
  limit: number;
}

export interface ReplayResult {
  replayed: number;
  callbackIds: string[];
  /** More callbacks matched than `limit`; continue from the last one's receivedAt. */
  truncated: boolean;
  lastReceivedAt: string | undefined;
}

const PUBLISH_CHUNK = 500;

/**
 * Publishes stored callbacks again, as the same events (same deterministic ids): for a consumer
 * that lost data or a new one that needs history. Consumers dedupe on the event id, so a replay
 * never doubles an effect. Pending callbacks are included only on request: they were answered 503,
 * so their provider may still retry them.
 */
export class CallbackReplayer {
  private readonly callbacks: Repository<CallbackEntity>;

  constructor(
    dataSource: DataSource,
    private readonly intake: CallbackIntake,
    private readonly metrics: IngressMetrics,
  ) {
    this.callbacks = dataSource.getRepository(CallbackEntity);
  }

  find(id: string): Promise<CallbackEntity | null> {
    return this.callbacks.findOneBy({ id });
  }

  async replay(request: ReplayRequest): Promise<ReplayResult> {
    const query = this.callbacks
      .createQueryBuilder('callback')
      .orderBy('callback.receivedAt', 'ASC')
      .addOrderBy('callback.id', 'ASC')
      .take(request.limit + 1);
    const { selection } = request;
    switch (selection.kind) {
      case 'ids':
        query.where('callback.id IN (:...ids)', { ids: selection.ids });
        break;
      case 'range':
        query.where('callback.receivedAt >= :from AND callback.receivedAt < :to', { from: selection.from, to: selection.to });
        if (selection.source !== undefined) query.andWhere('callback.source = :source', { source: selection.source });
        break;
    }
    if (!request.includePending) query.andWhere("callback.status = 'published'");
    const found = await query.getMany();
    const selected = found.slice(0, request.limit);
    for (let start = 0; start < selected.length; start += PUBLISH_CHUNK) {
      const chunk = selected.slice(start, start + PUBLISH_CHUNK);
      await this.intake.republish(chunk.map(recordOfEntity));
      for (const callback of chunk) this.metrics.replayed.inc({ source: callback.source });
    }
    return {
      replayed: selected.length,
      callbackIds: selected.map((callback) => callback.id),
      truncated: found.length > request.limit,
      lastReceivedAt: selected.at(-1)?.receivedAt.toISOString(),
    };
  }
}

export function recordOfEntity(entity: CallbackEntity): CallbackRecord {
  const verification: CallbackVerification = { scheme: entity.verificationScheme as CallbackVerification['scheme'] };
  if (entity.verificationKeyId !== null) verification.keyId = entity.verificationKeyId;
  return {
    id: entity.id,
    source: entity.source,
    idempotencyKey: entity.idempotencyKey,
    provider: entity.provider as Provider,
    eventId: entity.eventId,
    correlationId: entity.correlationId,
    receivedAt: entity.receivedAt,
    occurredAt: entity.occurredAt,
    contentType: entity.contentType,
    headers: entity.headers,
    body: entity.body,
    verification,
  };
}
