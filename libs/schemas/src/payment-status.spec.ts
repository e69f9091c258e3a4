import fc from 'fast-check';
import {
  ALLOWED_PAYMENT_TRANSITIONS,
  decideTransition,
  isAllowedTransition,
  isTerminalPaymentStatus,
  PAYMENT_STATUS_RANK,
  PAYMENT_STATUSES,
  PaymentStatusSchema,
  TERMINAL_PAYMENT_STATUSES,
  type PaymentStatus,
} from './payment-status';

describe('payment status machine', () => {
  it('ranks the lifecycle in order, terminal statuses last', () => {
    const lifecycle: PaymentStatus[] = ['initiated', 'pending_authorisation', 'pending_approval', 'accepted', 'processing'];
    lifecycle.forEach((status, index) => expect(PAYMENT_STATUS_RANK[status]).toBe(index));
    for (const terminal of TERMINAL_PAYMENT_STATUSES) expect(PAYMENT_STATUS_RANK[terminal]).toBe(5);
    expect(PAYMENT_STATUSES.filter(isTerminalPaymentStatus)).toEqual(['settled', 'rejected', 'failed', 'cancelled']);
  });

  it('allows exactly the transitions to a higher rank', () => {
    for (const from of PAYMENT_STATUSES) {
      const higher = PAYMENT_STATUSES.filter((to) => PAYMENT_STATUS_RANK[to] > PAYMENT_STATUS_RANK[from]);
      expect([...ALLOWED_PAYMENT_TRANSITIONS[from]].sort()).toEqual([...higher].sort());
    }
  });

  it.each<[PaymentStatus | undefined, PaymentStatus, string]>([
    [undefined, 'initiated', 'apply'],
    [undefined, 'settled', 'apply'],
    ['initiated', 'pending_authorisation', 'apply'],
    ['pending_authorisation', 'pending_approval', 'apply'],
    ['pending_approval', 'accepted', 'apply'],
    ['accepted', 'processing', 'apply'],
    ['processing', 'settled', 'apply'],
    ['initiated', 'settled', 'apply'],
    ['pending_authorisation', 'failed', 'apply'],
    ['pending_approval', 'rejected', 'apply'],
    ['accepted', 'cancelled', 'apply'],
    ['accepted', 'accepted', 'same'],
    ['settled', 'settled', 'same'],
    ['processing', 'accepted', 'ignore-stale'],
    ['processing', 'initiated', 'ignore-stale'],
    ['pending_approval', 'pending_authorisation', 'ignore-stale'],
    ['settled', 'processing', 'ignore-stale'],
    ['settled', 'initiated', 'ignore-stale'],
    ['cancelled', 'pending_approval', 'ignore-stale'],
    ['settled', 'rejected', 'invalid'],
    ['rejected', 'settled', 'invalid'],
    ['failed', 'cancelled', 'invalid'],
  ])('from %p, %p is %p', (current, incoming, decision) => {
    expect(decideTransition(current, incoming)).toBe(decision);
  });

  it('nothing leaves a terminal status', () => {
    for (const terminal of TERMINAL_PAYMENT_STATUSES) {
      for (const next of PAYMENT_STATUSES) {
        expect(isAllowedTransition(terminal, next)).toBe(false);
        expect(decideTransition(terminal, next)).not.toBe('apply');
      }
    }
  });

  it('the schema accepts the statuses and nothing else', () => {
    for (const status of PAYMENT_STATUSES) expect(PaymentStatusSchema.safeParse(status).success).toBe(true);
    for (const other of ['completed', 'SETTLED', 'pending', '']) {
      expect(PaymentStatusSchema.safeParse(other).success).toBe(false);
    }
  });
});

describe('payment status machine properties', () => {
  const statusArbitrary = fc.constantFrom(...PAYMENT_STATUSES);

  it('applying decisions over any sequence of observations never moves a payment backwards', () => {
    fc.assert(
      fc.property(fc.array(statusArbitrary, { maxLength: 40 }), (observed) => {
        let current: PaymentStatus | undefined;
        for (const incoming of observed) {
          const decision = decideTransition(current, incoming);
          if (decision === 'apply') {
            if (current !== undefined) expect(PAYMENT_STATUS_RANK[incoming]).toBeGreaterThan(PAYMENT_STATUS_RANK[current]);
            current = incoming;
          }
        }
        if (current !== undefined && observed.length > 0) {
          // The result is the first observed status of the highest rank seen.
          const highest = Math.max(...observed.map((status) => PAYMENT_STATUS_RANK[status]));
          expect(PAYMENT_STATUS_RANK[current]).toBe(highest);
          expect(current).toBe(observed.find((status) => PAYMENT_STATUS_RANK[status] === highest));
        }
      }),
    );
  });

  it('the final status does not depend on the order in which non-terminal observations arrive', () => {
    const nonTerminal = fc.constantFrom(...PAYMENT_STATUSES.filter((status) => !isTerminalPaymentStatus(status)));
    const observationsAndPermutation = fc
      .array(nonTerminal, { minLength: 1, maxLength: 20 })
      .chain((observed) =>
        fc.tuple(
          fc.constant(observed),
          fc.shuffledSubarray(observed, { minLength: observed.length, maxLength: observed.length }),
        ),
      );
    fc.assert(
      fc.property(observationsAndPermutation, ([observed, permuted]) => {
        const fold = (sequence: readonly PaymentStatus[]) =>
          sequence.reduce<PaymentStatus | undefined>(
            (current, incoming) => (decideTransition(current, incoming) === 'apply' ? incoming : current),
            undefined,
          );
        expect(fold(permuted)).toBe(fold(observed));
      }),
    );
  });

  it('every decision is one of the four, and apply only ever raises the rank', () => {
    fc.assert(
      fc.property(fc.option(statusArbitrary, { nil: undefined }), statusArbitrary, (current, incoming) => {
        const decision = decideTransition(current, incoming);
        expect(['apply', 'same', 'ignore-stale', 'invalid']).toContain(decision);
        if (decision === 'apply' && current !== undefined) {
          expect(PAYMENT_STATUS_RANK[incoming]).toBeGreaterThan(PAYMENT_STATUS_RANK[current]);
        }
        if (current !== undefined && PAYMENT_STATUS_RANK[incoming] < PAYMENT_STATUS_RANK[current]) {
          expect(decision).toBe('ignore-stale');
        }
      }),
    );
  });
});
