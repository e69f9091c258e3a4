import type { Admin, Kafka } from 'kafkajs';

/**
 * One dependency the service needs to do its work. `check` resolves when the dependency answers
 * and rejects (with a message naming no secret) when it does not; the readiness endpoint runs
 * every check with its own timeout.
 */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /** Default 2 s: a probe must answer before the orchestrator's own probe timeout. */
  timeoutMs?: number;
  /** Releases what the check holds (a connection); called when the module shuts down. */
  close?(): Promise<void>;
}

export const DEFAULT_READINESS_TIMEOUT_MS = 2_000;

/** Resolves with `work`, or rejects when it has not settled within `timeoutMs`. */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Kafka is ready when the cluster answers a metadata request (`describeCluster`). The admin
 * client is connected on first use and kept; after a failure it is dropped and made anew, so a
 * broker that comes back is seen at the next probe.
 */
export function kafkaReadinessCheck(kafka: Kafka, options: { timeoutMs?: number; name?: string } = {}): ReadinessCheck {
  let admin: Admin | undefined;
  let connecting: Promise<Admin> | undefined;
  const timeoutMs = options.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;

  const connected = (): Promise<Admin> => {
    if (admin) return Promise.resolve(admin);
    connecting ??= (async () => {
      // No retries: the probe itself is the retry loop.
      const fresh = kafka.admin({ retry: { retries: 0 } });
      try {
        await fresh.connect();
      } catch (error: unknown) {
        await fresh.disconnect().catch(() => undefined);
        throw error;
      }
      admin = fresh;
      return fresh;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const drop = async (): Promise<void> => {
    const current = admin;
    admin = undefined;
    await current?.disconnect().catch(() => undefined);
  };

  return {
    name: options.name ?? 'kafka',
    timeoutMs,
    async check() {
      try {
        const cluster = await withTimeout(
          connected().then((client) => client.describeCluster()),
          timeoutMs,
          'Kafka',
        );
        if (cluster.brokers.length === 0) throw new Error('Kafka reports no brokers');
      } catch (error: unknown) {
        await drop();
        throw error;
      }
    },
    close: drop,
  };
}

/** Anything that runs SQL: a TypeORM DataSource, a pg Pool or Client. */
export interface SqlQueryable {
  query(sql: string): Promise<unknown>;
}

/** PostgreSQL is ready when `SELECT 1` comes back. */
export function postgresReadinessCheck(
  database: SqlQueryable,
  options: { timeoutMs?: number; name?: string } = {},
): ReadinessCheck {
  const timeoutMs = options.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
  return {
    name: options.name ?? 'postgres',
    timeoutMs,
    async check() {
      await withTimeout(database.query('SELECT 1'), timeoutMs, 'PostgreSQL');
    },
  };
}
