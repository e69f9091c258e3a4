import type { LimiterClock } from '@finmesh/connector-kit';
import { SlidingWindowLimiter } from './tapi-limits';

/** A clock that moves only when someone sleeps: no test waits for real time. */
function fakeClock(): LimiterClock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('SlidingWindowLimiter', () => {
  it('never lets more than the limit fall in any one-second window', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(20, 1_000, clock);
    const sent: number[] = [];
    for (let i = 0; i < 65; i += 1) {
      await limiter.acquire('btc_idr');
      sent.push(clock.now());
    }
    for (const at of sent) expect(sent.filter((other) => other > at - 1_000 && other <= at).length).toBeLessThanOrEqual(20);
    // Bursts of 20, then the next as soon as the oldest has left the window.
    expect(sent[20]).toBe((sent[0] ?? 0) + 1_001);
  });

  it('keeps pairs apart and holds a blocked key until the block ends', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(20, 1_000, clock);
    limiter.block('btc_idr', clock.now() + 5_000);
    expect(limiter.tryTake('eth_idr')).toBe(0);
    expect(limiter.tryTake('btc_idr')).toBe(5_000);
    const start = clock.now();
    await limiter.acquire('btc_idr');
    expect(clock.now() - start).toBe(5_000);
  });

  it('counts nothing when tryTake refuses', () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(2, 1_000, clock);
    expect([limiter.tryTake('cancel'), limiter.tryTake('cancel')]).toEqual([0, 0]);
    expect(limiter.tryTake('cancel')).toBe(1_001);
    expect(limiter.waitMs('cancel', clock.now())).toBe(1_001);
  });
});
