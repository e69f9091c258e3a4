import type { IHeaders, KafkaMessage } from 'kafkajs';

/** A consumed Kafka message with its origin, in the form handlers and the DLQ work with. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

export function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: decodeHeaders(message.headers),
    timestamp: message.timestamp,
  };
}

/** Kafka headers as strings; a repeated header keeps its last value. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  if (!headers) return decoded;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    decoded[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return decoded;
}

/** `topic/partition@offset`, for log lines and DLQ headers. */
export function recordOrigin(record: Pick<ConsumedRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${record.topic}/${record.partition}@${record.offset}`;
}
