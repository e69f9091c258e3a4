import type { DataSource } from 'typeorm';
import type { LosslessJsonValue } from '@finmesh/schemas';
import type { ResourceReader, ResourceRecord, StoredResource } from '../contract/capabilities';
import type { SqlRunner } from '../sync/sync-lease';
import { ResourceEntity } from '../persistence/entities';

const MAX_LIST = 1_000;

/** The kept provider resources of one connector (table connector_resources). */
export class ResourceStore implements ResourceReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connector: string,
  ) {}

  /** Inserts or refreshes records in one statement, on the given session (the sync lease's, in its page transaction). */
  async upsert(sql: SqlRunner, records: readonly ResourceRecord[], seenAt: Date): Promise<void> {
    if (records.length === 0) return;
    // One row per (kind, id): ON CONFLICT may not touch a row twice in one statement.
    const unique = new Map<string, ResourceRecord>();
    for (const record of records) unique.set(`${record.kind}\n${record.id}`, record);
    const rows = [...unique.values()];
    await sql.query(
      `INSERT INTO connector_resources (connector, kind, id, parent_id, data, first_seen_at, last_seen_at)
       SELECT $1, r.kind, r.id, r.parent_id, r.data, $6, $6
         FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[]) AS r(kind, id, parent_id, data)
       ON CONFLICT (connector, kind, id) DO UPDATE
         SET parent_id = EXCLUDED.parent_id, data = EXCLUDED.data, last_seen_at = EXCLUDED.last_seen_at`,
      [
        this.connector,
        rows.map((row) => row.kind),
        rows.map((row) => row.id),
        rows.map((row) => row.parentId ?? null),
        rows.map((row) => JSON.stringify(row.data)),
        seenAt,
      ],
    );
  }

  async list(kind: string, options: { parentId?: string; afterId?: string; limit?: number } = {}): Promise<StoredResource[]> {
    const query = this.dataSource
      .getRepository(ResourceEntity)
      .createQueryBuilder('resource')
      .where('resource.connector = :connector AND resource.kind = :kind', { connector: this.connector, kind })
      .orderBy('resource.id', 'ASC')
      .take(Math.min(options.limit ?? MAX_LIST, MAX_LIST));
    if (options.parentId !== undefined) query.andWhere('resource.parentId = :parentId', { parentId: options.parentId });
    if (options.afterId !== undefined) query.andWhere('resource.id > :afterId', { afterId: options.afterId });
    return (await query.getMany()).map(toStored);
  }

  async get(kind: string, id: string): Promise<StoredResource | undefined> {
    const entity = await this.dataSource.getRepository(ResourceEntity).findOneBy({ connector: this.connector, kind, id });
    return entity ? toStored(entity) : undefined;
  }
}

function toStored(entity: ResourceEntity): StoredResource {
  return {
    kind: entity.kind,
    id: entity.id,
    ...(entity.parentId === null ? {} : { parentId: entity.parentId }),
    // Written from LosslessJsonValue (no JSON numbers), so jsonb gives the same shape back.
    data: entity.data as LosslessJsonValue,
    firstSeenAt: entity.firstSeenAt,
    lastSeenAt: entity.lastSeenAt,
  };
}
