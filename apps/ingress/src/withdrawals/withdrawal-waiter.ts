import { Client } from 'pg';
import type { ExpectedWithdrawal, ExpectedWithdrawalStore } from './expected-withdrawals';

export const EXPECTED_WITHDRAWAL_CHANNEL = 'ingress_expected_withdrawal';

export interface WithdrawalWaiterOptions {
  databaseUrl: string;
  /** Polling interval while waiting; the fallback when a notification is missed or LISTEN is down. */
  pollIntervalMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
  onWaitingChange?: (waiting: number) => void;
}

interface Wakeable {
  wake: () => void;
}

/**
 * Waits, bounded, for a withdrawal request to be recorded: Indodax may call back a few
 * milliseconds after finmesh asked for the withdrawal, before the announcing event has been
 * consumed (possibly by another replica). A dedicated connection LISTENs to the table's
 * notifications, so a waiting callback is woken as soon as the row lands; polling covers a
 * missed notification or a listener that is reconnecting.
 */
export class WithdrawalWaiter {
  private listener: Client | undefined;
  private readonly waiting = new Map<string, Set<Wakeable>>();
  private waitingCount = 0;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ExpectedWithdrawalStore,
    private readonly options: WithdrawalWaiterOptions,
  ) {}

  async start(): Promise<void> {
    await this.listen().catch((error: unknown) => {
      this.options.log?.('warn', `LISTEN failed, polling only until it reconnects: ${describe(error)}`);
      this.scheduleReconnect();
    });
  }

  get isListening(): boolean {
    return this.listener !== undefined;
  }

  /** The withdrawal as soon as it is known, or undefined when it is still unknown after `timeoutMs`. */
  async waitFor(requestId: string, timeoutMs: number): Promise<ExpectedWithdrawal | undefined> {
    const deadline = Date.now() + timeoutMs;
    this.changeWaiting(1);
    try {
      for (;;) {
        // Registered before the lookup, so a notification between the two is not missed.
        const woken = this.register(requestId);
        try {
          const found = await this.store.find(requestId);
          if (found !== undefined) return found;
          const remaining = deadline - Date.now();
          if (remaining <= 0) return undefined;
          await woken.until(Math.min(remaining, this.options.pollIntervalMs ?? 250));
        } finally {
          woken.cancel();
        }
      }
    } finally {
      this.changeWaiting(-1);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private register(requestId: string): { until: (ms: number) => Promise<void>; cancel: () => void } {
    let woken = false;
    let timer: NodeJS.Timeout | undefined;
    let resolveWait: (() => void) | undefined;
    const wakeable: Wakeable = {
      wake: () => {
        woken = true;
        resolveWait?.();
      },
    };
    const set = this.waiting.get(requestId) ?? new Set<Wakeable>();
    set.add(wakeable);
    this.waiting.set(requestId, set);
    return {
      until: (ms) =>
        new Promise<void>((resolve) => {
          if (woken) {
            resolve();
            return;
          }
          resolveWait = resolve;
          timer = setTimeout(resolve, ms);
        }),
      cancel: () => {
        clearTimeout(timer);
        set.delete(wakeable);
        if (set.size === 0 && this.waiting.get(requestId) === set) this.waiting.delete(requestId);
      },
    };
  }

  private wake(requestId: string): void {
    for (const wakeable of this.waiting.get(requestId) ?? []) wakeable.wake();
  }

  private changeWaiting(delta: number): void {
    this.waitingCount += delta;
    this.options.onWaitingChange?.(this.waitingCount);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: 'ingress-listener' });
    client.on('notification', (message) => {
      if (message.channel === EXPECTED_WITHDRAWAL_CHANNEL && message.payload !== undefined) this.wake(message.payload);
    });
    client.on('error', (error) => {
      this.options.log?.('warn', `LISTEN connection failed, reconnecting: ${describe(error)}`);
      if (this.listener === client) this.listener = undefined;
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    await client.connect();
    try {
      await client.query(`LISTEN ${EXPECTED_WITHDRAWAL_CHANNEL}`);
    } catch (error: unknown) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end();
      return;
    }
    this.listener = client;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listen().catch((error: unknown) => {
        this.options.log?.('warn', `LISTEN reconnect failed: ${describe(error)}`);
        this.scheduleReconnect();
      });
    }, 1_000);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
