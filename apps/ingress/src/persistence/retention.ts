import type { CallbackStore } from '../callbacks/callback-store';

export interface RetentionOptions {
  /** Published callbacks are kept this long; the dedupe window (days, longer than any provider's retries). */
  windowDays: number;
  intervalMs: number;
  log?: (level: 'info' | 'warn', message: string, extra?: Record<string, unknown>) => void;
}

const DAY_MS = 24 * 60 * 60 * 1_000;

/**
 * Deletes what has left the dedupe window: published callbacks, rejection records and announced
 * withdrawals older than it. A duplicate inside the window is recognised because its row is still
 * there; after it, the same key would be accepted as new — the window is chosen longer than any
 * provider retries. Pending callbacks are never purged: each is an unanswered question for an
 * operator (replay it or leave it).
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: CallbackStore,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => {
          this.options.log?.('warn', `retention run failed: ${error instanceof Error ? error.message : String(error)}`);
        })
        .finally(() => {
          this.running = undefined;
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async runOnce(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.options.windowDays * DAY_MS);
    const purged = await this.store.purgePublishedBefore(cutoff);
    await this.store.purgeRejectionsAndWithdrawalsBefore(cutoff);
    if (purged > 0) this.options.log?.('info', 'purged callbacks past the dedupe window', { purged });
    return purged;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
