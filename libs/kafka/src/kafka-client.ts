import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** Prefixed to every topic name; empty in production, unique per suite in tests. */
  topicPrefix?: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
}

/** Parses `KAFKA_BROKERS` ("host:port,host:port"); a malformed entry is an error that names it. */
export function parseBrokerList(value: string): string[] {
  const brokers = value.split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (brokers.length === 0) {
    throw new Error('KAFKA_BROKERS is empty: give at least one host:port');
  }
  for (const broker of brokers) {
    const match = /^([^:\s]+):(\d{1,5})$/.exec(broker);
    const port = match ? Number.parseInt(match[2] ?? '', 10) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new Error(`KAFKA_BROKERS has a malformed entry "${broker}": expected host:port`);
    }
  }
  return brokers;
}

/** One place for the kafkajs client settings every finmesh service uses. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      const level = toLevel(entry.level);
      if (options.log) {
        options.log(level, `${entry.namespace}: ${message}`, extra);
      }
    },
  };
  return new Kafka(config);
}

function toLevel(level: logLevel): 'error' | 'warn' | 'info' | 'debug' {
  switch (level) {
    case logLevel.ERROR:
    case logLevel.NOTHING:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    case logLevel.DEBUG:
      return 'debug';
  }
}
