import type { Producer } from 'kafkajs';
import { recordOrigin, type ConsumedRecord } from './consumed-record';

/** Headers a dead-lettered message carries besides its original key, value and headers. */
export const DEAD_LETTER_HEADERS = {
  reason: 'finmesh-dlq-reason',
  originTopic: 'finmesh-dlq-origin-topic',
  originPartition: 'finmesh-dlq-origin-partition',
  originOffset: 'finmesh-dlq-origin-offset',
  consumerGroup: 'finmesh-dlq-consumer-group',
  attempts: 'finmesh-dlq-attempts',
  failedAt: 'finmesh-dlq-failed-at',
} as const;

/** The dead-letter topic of a topic: `<topic>.dlq`. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

export interface DeadLetter {
  record: ConsumedRecord;
  reason: string;
  attempts: number;
}

/** Longest reason kept in a header; a reason is a diagnosis, not a dump of the payload. */
const MAX_REASON_LENGTH = 2_000;

/**
 * Sends poison messages to `<topic>.dlq` with acks from all in-sync replicas, keeping the original
 * key (so the DLQ stays ordered per entity) and the original headers, plus why and where from.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly consumerGroup: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const byTopic = new Map<string, DeadLetter[]>();
    for (const letter of letters) {
      const topic = deadLetterTopicOf(letter.record.topic);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), letter]);
    }
    const failedAt = this.now().toISOString();
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic.entries()].map(([topic, topicLetters]) => ({
        topic,
        messages: topicLetters.map(({ record, reason, attempts }) => ({
          key: record.key,
          value: record.value,
          headers: {
            ...record.headers,
            [DEAD_LETTER_HEADERS.reason]: reason.slice(0, MAX_REASON_LENGTH),
            [DEAD_LETTER_HEADERS.originTopic]: record.topic,
            [DEAD_LETTER_HEADERS.originPartition]: String(record.partition),
            [DEAD_LETTER_HEADERS.originOffset]: record.offset,
            [DEAD_LETTER_HEADERS.consumerGroup]: this.consumerGroup,
            [DEAD_LETTER_HEADERS.attempts]: String(attempts),
            [DEAD_LETTER_HEADERS.failedAt]: failedAt,
          },
        })),
      })),
    });
  }
}

export function describeDeadLetter(letter: DeadLetter): string {
  return `${recordOrigin(letter.record)}: ${letter.reason}`;
}
