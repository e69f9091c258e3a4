import { RateLimiter, type LimiterClock } from './rate-limiter';
import { parseRetryAfter } from './retry-after';

/** A clock whose sleeps move time instantly, recording how long each caller waited. */
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

describe('RateLimiter', () => {
  it('lets a burst through at once, then spaces requests at the rate', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ provider: { requestsPerSecond: 10, burst: 3 }, clock });
    const started = clock.now();
    for (let i = 0; i < 3; i += 1) await limiter.acquire('accounts.list');
    expect(clock.now()).toBe(started);
    for (let i = 0; i < 5; i += 1) await limiter.acquire('accounts.list');
    expect(clock.now() - started).toBe(500);
  });

  it('applies an endpoint limit on top of the provider limit', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ provider: { requestsPerSecond: 100, burst: 100 }, endpoints: { 'transactions.list': { requestsPerSecond: 2, burst: 1 } }, clock });
    const started = clock.now();
    await limiter.acquire('transactions.list');
    await limiter.acquire('transactions.list');
    await limiter.acquire('transactions.list');
    expect(clock.now() - started).toBe(1_000);
    // Another endpoint only meets the provider limit.
    const before = clock.now();
    await limiter.acquire('accounts.list');
    expect(clock.now()).toBe(before);
  });

  it('holds an endpoint back until a pause ordered by the provider has passed', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ clock });
    limiter.pause(clock.now() + 2_000, 'wires.create');
    const started = clock.now();
    await limiter.acquire('wires.create');
    expect(clock.now() - started).toBe(2_000);
    const other = clock.now();
    await limiter.acquire('accounts.list');
    expect(clock.now()).toBe(other);
  });

  it('serves waiters of one endpoint in arrival order', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ endpoints: { slow: { requestsPerSecond: 1, burst: 1 } }, clock });
    const order: number[] = [];
    await Promise.all([1, 2, 3].map(async (n) => limiter.acquire('slow').then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });

  it('refuses a limit that could never admit a request', () => {
    expect(() => new RateLimiter({ provider: { requestsPerSecond: 0, burst: 1 } })).toThrow(/requestsPerSecond/);
  });

  it('gives up waiting when the caller aborts', async () => {
    const limiter = new RateLimiter({ endpoints: { slow: { requestsPerSecond: 0.001, burst: 1 } } });
    await limiter.acquire('slow');
    const controller = new AbortController();
    const waiting = limiter.acquire('slow', controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates, caps them, and ignores garbage', () => {
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('999999', now)).toBe(600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
