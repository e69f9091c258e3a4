import type { Connector } from '../contract/connector';
import { describeError, silentLogger, type ConnectorLogger } from '../logging';
import type { PaymentsService } from './payments-service';

export interface PaymentTrackerOptions {
  connector: Connector;
  payments: PaymentsService;
  /** How often a payment in flight is polled. */
  pollIntervalMs: number;
  /** Payments claimed per round. */
  batchSize?: number;
  /** Backoff cap after failed polls of one payment. */
  maxBackoffMs?: number;
  log?: ConnectorLogger;
  random?: () => number;
}

/**
 * Follows payments in flight by polling their status (capability poll_payment_status) until they
 * reach a final status. Replicas share the work: each claims due payments with SKIP LOCKED and
 * pushes their next check out while it polls them.
 */
export class PaymentTracker {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = true;
  private readonly abort = new AbortController();
  private readonly log: ConnectorLogger;

  constructor(private readonly options: PaymentTrackerOptions) {
    this.log = options.log ?? silentLogger;
  }

  start(): void {
    if (!this.options.connector.has('poll_payment_status') || !this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('the payment tracker is stopping'));
    if (this.timer) clearTimeout(this.timer);
    await this.round;
  }

  /** One round now: polls every due payment once. Returns how many were polled. */
  async checkDue(): Promise<number> {
    const poller = this.options.connector.handler('poll_payment_status');
    if (!poller) return 0;
    const claimed = await this.options.payments.claimDue(this.options.batchSize ?? 50, Math.max(30_000, this.options.pollIntervalMs * 3));
    for (const payment of claimed) {
      if (this.abort.signal.aborted) break;
      try {
        const observation = await poller.poll(payment, { signal: this.abort.signal });
        await this.options.payments.observe(payment.id, observation, 'poll');
        await this.options.payments.scheduleCheck(payment.id, this.options.pollIntervalMs, false);
      } catch (error: unknown) {
        const delay = Math.min(this.options.maxBackoffMs ?? 300_000, this.options.pollIntervalMs * 4);
        this.log.warn('payment status check failed; retried later', { paymentId: payment.id, error: describeError(error), retryInMs: delay });
        await this.options.payments.scheduleCheck(payment.id, delay, true).catch(() => undefined);
      }
    }
    return claimed.length;
  }

  private schedule(): void {
    if (this.stopped) return;
    const jitter = 1 + ((this.options.random ?? Math.random)() * 2 - 1) * 0.1;
    this.timer = setTimeout(() => {
      this.round = this.checkDue()
        .then(() => undefined)
        .catch((error: unknown) => this.log.error('payment tracking round failed', { error: describeError(error) }))
        .finally(() => {
          this.round = undefined;
          this.schedule();
        });
    }, Math.round(this.options.pollIntervalMs * jitter));
  }
}
