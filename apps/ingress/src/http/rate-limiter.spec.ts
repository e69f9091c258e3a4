import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a second’s worth at once, then refills at the rate, per source', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    expect([1, 2, 3].map(() => limiter.take('acme', 3))).toEqual([0, 0, 0]);
    expect(limiter.take('acme', 3)).toBe(1);
    expect(limiter.take('other', 3)).toBe(0);
    now = 340;
    expect(limiter.take('acme', 3)).toBe(0);
    expect(limiter.take('acme', 3)).toBe(1);
  });

  it('tells how long to wait for a slow source', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    expect(limiter.take('slow', 0.1)).toBe(0);
    expect(limiter.take('slow', 0.1)).toBe(10);
    now = 10_000;
    expect(limiter.take('slow', 0.1)).toBe(0);
  });
});
