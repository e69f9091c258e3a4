import { Batcher } from './batcher';

describe('Batcher', () => {
  it('sends calls of one event-loop turn together, and calls arriving while busy in the next batch', async () => {
    const batches: number[][] = [];
    let release: (() => void) | undefined;
    const batcher = new Batcher<number, number>(
      async (items) => {
        batches.push([...items]);
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return items.map((item) => item * 10);
      },
      { maxBatchSize: 100, maxConcurrentBatches: 1 },
    );
    const first = [1, 2, 3].map((item) => batcher.submit(item));
    await new Promise<void>((resolve) => setImmediate(resolve));
    const later = [4, 5].map((item) => batcher.submit(item));
    release?.();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('splits at the batch size and runs batches concurrently up to the limit', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        sizes.push(items.length);
        await new Promise<void>((resolve) => setImmediate(resolve));
        running -= 1;
        return items;
      },
      { maxBatchSize: 4, maxConcurrentBatches: 2 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, index) => batcher.submit(index)));
    expect(sizes).toEqual([4, 4, 2]);
    expect(mostAtOnce).toBe(2);
  });

  it('rejects every call of a failed batch, and carries on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>(
      (items) => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('database down')) : Promise.resolve(items);
      },
      { maxBatchSize: 10, maxConcurrentBatches: 1 },
    );
    const failed = [batcher.submit(1), batcher.submit(2)];
    await expect(Promise.all(failed)).rejects.toThrow('database down');
    await expect(failed[1]).rejects.toThrow('database down');
    expect(await batcher.submit(3)).toBe(3);
  });
});
