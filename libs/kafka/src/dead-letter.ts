import type { Producer } from 'kafkajs';
import { deadLetterHeaders, DLQ_HEADERS } from '@finmesh/schemas';
import { recordOrigin, type ConsumedRecord } from './consumed-record';

/** Headers a dead-lettered message carries besides its original key, value and headers (defined by the contract). */
export const DEAD_LETTER_HEADERS = DLQ_HEADERS;

/** The dead-letter topic of a topic: `<topic>.dlq`. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

export interface DeadLetter {
  record: ConsumedRecord;
  reason: string;
  attempts: number;
}

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
            ...deadLetterHeaders({
              reason,
              originTopic: record.topic,
              originPartition: record.partition,
              originOffset: record.offset,
              consumerGroup: this.consumerGroup,
              attempts,
              failedAt,
            }),
          },
        })),
      })),
    });
  }
}

export function describeDeadLetter(letter: DeadLetter): string {
  return `${recordOrigin(letter.record)}: ${letter.reason}`;
}
