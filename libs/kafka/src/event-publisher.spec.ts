import { EXAMPLE_EVENTS } from '@finmesh/schemas';
import type { Producer, ProducerBatch } from 'kafkajs';
import { EventPublisher } from './event-publisher';

/** A producer whose sends stay in flight until the test settles them. */
class FakeProducer {
  readonly sends: Array<{ messages: number; settle: (error?: Error) => void }> = [];

  sendBatch(batch: ProducerBatch): Promise<[]> {
    return new Promise((resolve, reject) => {
      const messages = (batch.topicMessages ?? []).reduce((sum, topic) => sum + topic.messages.length, 0);
      this.sends.push({ messages, settle: (error) => (error === undefined ? resolve([]) : reject(error)) });
    });
  }

  asProducer(): Producer {
    return this as unknown as Producer;
  }
}

const balance = EXAMPLE_EVENTS['balance.updated'];
const payment = EXAMPLE_EVENTS['payment.status_changed'];
const transaction = EXAMPLE_EVENTS['transaction.posted'];

/** Lets pending promise callbacks run (no timers involved). */
async function settled(): Promise<void> {
  for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
}

describe('EventPublisher with maxConcurrentSends', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('holds what arrives while a send is in flight and sends it all together once the send completes', async () => {
    const producer = new FakeProducer();
    const publisher = new EventPublisher(producer.asProducer(), { lingerMs: 1, maxConcurrentSends: 1 });
    const first = publisher.publish([balance]);
    jest.advanceTimersByTime(1);
    expect(producer.sends.map((send) => send.messages)).toEqual([1]);

    const second = publisher.publish([payment]);
    const third = publisher.publish([transaction]);
    jest.advanceTimersByTime(10);
    // The linger ran out, but the only send slot is taken: nothing more is sent yet.
    expect(producer.sends).toHaveLength(1);

    producer.sends[0]?.settle();
    await first;
    await settled();
    expect(producer.sends.map((send) => send.messages)).toEqual([1, 2]);
    producer.sends[1]?.settle();
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('rejects exactly the publishes of a failed send', async () => {
    const producer = new FakeProducer();
    const publisher = new EventPublisher(producer.asProducer(), { lingerMs: 1, maxConcurrentSends: 1 });
    const first = publisher.publish([balance]);
    jest.advanceTimersByTime(1);
    const second = publisher.publish([payment, transaction]);
    jest.advanceTimersByTime(1);
    producer.sends[0]?.settle();
    await first;
    await settled();
    producer.sends[1]?.settle(new Error('broker gone'));
    await expect(second).rejects.toThrow('broker gone');
  });

  it('caps a send at maxBatchSize messages and sends the rest as soon as a slot frees up', async () => {
    const producer = new FakeProducer();
    const publisher = new EventPublisher(producer.asProducer(), { lingerMs: 1, maxBatchSize: 2, maxConcurrentSends: 1 });
    const first = publisher.publish([balance]);
    jest.advanceTimersByTime(1);
    const rest = [publisher.publish([payment]), publisher.publish([transaction]), publisher.publish([balance])];
    // Three messages queued against a cap of two: due at once, held while the slot is busy.
    expect(producer.sends).toHaveLength(1);
    producer.sends[0]?.settle();
    await first;
    await settled();
    expect(producer.sends.map((send) => send.messages)).toEqual([1, 2]);
    producer.sends[1]?.settle();
    await settled();
    expect(producer.sends.map((send) => send.messages)).toEqual([1, 2, 1]);
    producer.sends[2]?.settle();
    await expect(Promise.all(rest)).resolves.toHaveLength(3);
  });

  it('sends concurrently without a limit (the default), one send per linger window', async () => {
    const producer = new FakeProducer();
    const publisher = new EventPublisher(producer.asProducer(), { lingerMs: 1 });
    const first = publisher.publish([balance]);
    jest.advanceTimersByTime(1);
    const second = publisher.publish([payment]);
    jest.advanceTimersByTime(1);
    expect(producer.sends.map((send) => send.messages)).toEqual([1, 1]);
    for (const send of producer.sends) send.settle();
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });
});
