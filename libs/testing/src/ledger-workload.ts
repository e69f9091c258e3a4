import {
  accountRef,
  createEvent,
  moneyFromMinorUnits,
  normalizeProviderStatus,
  paymentRef,
  type FinmeshEvent,
} from '@finmesh/schemas';

export interface LedgerWorkloadOptions {
  events: number;
  accounts: number;
  /** Share of events that land on the few hot accounts. */
  hotShare: number;
  hotAccounts: number;
  seed: number;
}

/** A small deterministic PRNG (mulberry32), so every run benchmarks the same workload. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A mixed event stream like a busy day: ~75 % booked transactions (some with fees), ~10 %
 * balances that agree with what was booked before them, ~15 % payment lifecycles (initiated →
 * accepted → settled, then the settling debit). Timestamps increase through the stream.
 */
export function generateLedgerWorkload(options: LedgerWorkloadOptions): FinmeshEvent[] {
  const next = random(options.seed);
  const balances = new Map<string, bigint>();
  const events: FinmeshEvent[] = [];
  const start = Date.UTC(2026, 0, 1);
  let clock = 0;
  let paymentCounter = 0;
  const pickAccount = (): string => {
    const index = next() < options.hotShare ? Math.floor(next() * options.hotAccounts) : Math.floor(next() * options.accounts);
    return `bench-${String(index).padStart(6, '0')}`;
  };
  const at = (): string => new Date(start + clock * 10).toISOString();
  const asset = 'EUR/2';

  while (events.length < options.events) {
    clock += 1;
    const roll = next();
    const accountId = pickAccount();
    const account = accountRef('indx', accountId);
    const booked = balances.get(accountId) ?? 0n;
    if (roll < 0.75) {
      const amount = BigInt(100 + Math.floor(next() * 500_000));
      const credit = booked < amount || next() < 0.55;
      const fee = next() < 0.3 ? BigInt(Math.floor(next() * 100)) : 0n;
      balances.set(accountId, credit ? booked + amount - fee : booked - amount);
      events.push(
        createEvent('transaction.posted', {
          provider: 'indx',
          source: 'poll',
          occurredAt: at(),
          observedAt: at(),
          account,
          correlationId: 'bench',
          data: {
            providerTransactionId: `tx-${clock}`,
            direction: credit ? 'credit' : 'debit',
            amount: moneyFromMinorUnits(amount, asset),
            ...(fee > 0n ? { fee: moneyFromMinorUnits(fee, asset) } : {}),
            kind: 'transfer',
            status: 'booked',
            bookedAt: at(),
          },
        }),
      );
    } else if (roll < 0.85) {
      events.push(
        createEvent('balance.updated', {
          provider: 'indx',
          source: 'poll',
          occurredAt: at(),
          observedAt: at(),
          account,
          correlationId: 'bench',
          data: { asset, booked: moneyFromMinorUnits(booked, asset), asOf: at() },
        }),
      );
    } else {
      paymentCounter += 1;
      const payment = paymentRef('indx', `pay-${paymentCounter}`);
      const amount = BigInt(1 + Math.floor(next() * 10_000));
      for (const code of ['pending', 'processing', 'completed']) {
        clock += 1;
        events.push(
          createEvent('payment.status_changed', {
            provider: 'indx',
            source: 'poll',
            occurredAt: at(),
            observedAt: at(),
            account,
            payment,
            correlationId: 'bench',
            data: {
              amount: moneyFromMinorUnits(amount, asset),
              status: normalizeProviderStatus('indx.transfer', code),
              rawStatus: { scheme: 'indx.transfer', code },
            },
          }),
        );
      }
      clock += 1;
      balances.set(accountId, booked - amount);
      events.push(
        createEvent('transaction.posted', {
          provider: 'indx',
          source: 'poll',
          occurredAt: at(),
          observedAt: at(),
          account,
          payment,
          correlationId: 'bench',
          data: {
            providerTransactionId: `tx-pay-${paymentCounter}`,
            direction: 'debit',
            amount: moneyFromMinorUnits(amount, asset),
            kind: 'transfer',
            status: 'booked',
            bookedAt: at(),
          },
        }),
      );
    }
  }
  return events.slice(0, options.events);
}
