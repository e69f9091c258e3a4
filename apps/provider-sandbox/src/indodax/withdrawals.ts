import type { SandboxContext } from '../context';
import type { TaskKind } from '../core/clock';
import type { Random } from '../core/random';
import { replaceMap } from '../core/replace';
import { MINUTE, SECOND, unixSeconds } from '../core/time';
import type { IndodaxKey } from '../options';
import type { Withdrawal } from './model';
import type { IndodaxState } from './state';

/** Coins sent on-chain settle after a minute; transfers to another Indodax username after ten seconds. */
export const ONCHAIN_SETTLE_MS = MINUTE;
export const INTERNAL_SETTLE_MS = 10 * SECOND;

/** The callback parameters Indodax sends, as documented. */
export interface WithdrawCallbackFields {
  request_id: string;
  withdraw_currency: string;
  withdraw_address: string;
  withdraw_amount: string;
  withdraw_memo?: string;
  withdraw_username?: string;
  requester_ip: string;
  request_date: string;
}

/**
 * withdrawCoin's verification call: Indodax POSTs the withdrawal's parameters to the callback URL
 * set for the API key and goes on only if the answer is exactly `ok` (5-second timeout).
 */
export class CallbackWithdrawals {
  private readonly overrides = new Map<string, string | null>();
  private readonly completion: TaskKind<{ withdrawalId: string }>;

  constructor(
    private readonly ctx: SandboxContext,
    private readonly state: IndodaxState,
    private readonly random: Random,
  ) {
    this.completion = ctx.clock.define('indodax.withdraw.complete', ({ withdrawalId }) => {
      const withdrawal = this.state.withdrawals.find((candidate) => candidate.id === withdrawalId);
      if (!withdrawal) return;
      const tx = withdrawal.username !== undefined ? `internal-${withdrawal.id}` : this.random.hex(64);
      this.state.completeWithdrawal(withdrawal, this.ctx.clock.now(), tx);
    });
  }

  /** Callback URLs set through the admin API (null: cleared), kept with the sandbox's state. */
  snapshot(): ReadonlyMap<string, string | null> {
    return this.overrides;
  }

  restore(overrides: ReadonlyMap<string, string | null>): void {
    replaceMap(this.overrides, overrides);
  }

  callbackUrl(key: IndodaxKey): string | undefined {
    const override = this.overrides.get(key.apiKey);
    if (override === null) return undefined;
    return override ?? key.callbackUrl;
  }

  /** Sets (or, with null, clears) the callback URL of a key, as on the Indodax website. */
  setCallbackUrl(apiKey: string, url: string | null): void {
    this.overrides.set(apiKey, url);
  }

  async confirm(url: string, fields: WithdrawCallbackFields): Promise<boolean> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined) form.append(name, value);
    }
    const { accepted } = await this.ctx.callbacks.call(
      {
        provider: 'indodax',
        eventType: 'withdraw.verify',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      },
      this.ctx.options.indodax.callbackTimeoutMs,
      (status, body) => status >= 200 && status < 300 && body === 'ok',
    );
    return accepted;
  }

  /** Sends the coins later on the sandbox clock; the withdrawal then shows `success` with its tx. */
  scheduleCompletion(withdrawal: Withdrawal): void {
    const internal = withdrawal.username !== undefined;
    this.completion.in(internal ? INTERNAL_SETTLE_MS : ONCHAIN_SETTLE_MS, { withdrawalId: withdrawal.id });
  }

  requestDate(): string {
    return String(unixSeconds(this.ctx.clock.now()));
  }
}
