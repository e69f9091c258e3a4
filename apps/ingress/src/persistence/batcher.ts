export interface BatcherOptions {
  /** At most this many items go into one batch. */
  maxBatchSize: number;
  /** At most this many batches run at once; items arriving meanwhile wait and share the next batch. */
  maxConcurrentBatches: number;
}

interface Queued<In, Out> {
  item: In;
  resolve: (value: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent calls into batches without a linger timer: items are sent at the end of the
 * event-loop turn they arrived in when a batch slot is free, and items that arrive while every
 * slot is busy are sent together when one frees up. Under light load each call is its own round trip (lowest latency); under heavy load the
 * batches grow with the load (highest throughput), e.g. one multi-row INSERT for many requests.
 */
export class Batcher<In, Out> {
  private readonly queue: Array<Queued<In, Out>> = [];
  private running = 0;
  private drainScheduled = false;

  constructor(
    /** Runs one batch; returns one result per item, in order. */
    private readonly runBatch: (items: readonly In[]) => Promise<readonly Out[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.scheduleDrain();
    });
  }

  /** Items waiting for a free slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Requests read in the same turn of the event loop share a batch even when a slot is free. */
  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.running < this.options.maxConcurrentBatches && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      this.running += 1;
      void this.run(batch);
    }
  }

  private async run(batch: Array<Queued<In, Out>>): Promise<void> {
    try {
      const results = await this.runBatch(batch.map((queued) => queued.item));
      if (results.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} returned ${results.length} results`);
      }
      batch.forEach((queued, index) => queued.resolve(results[index] as Out));
    } catch (error: unknown) {
      for (const queued of batch) queued.reject(error);
    } finally {
      this.running -= 1;
      this.drain();
    }
  }
}
