import { InMemoryReplayStore } from './replay-store';

describe('InMemoryReplayStore', () => {
  const later = new Date('2030-01-01T00:00:00Z');

  it('reports the first use of a nonce and every repeat', async () => {
    const store = new InMemoryReplayStore();
    expect(await store.seen('indx:key-1', 'nonce-1', later)).toBe('first-time');
    expect(await store.seen('indx:key-1', 'nonce-1', later)).toBe('replay');
    expect(await store.seen('indx:key-1', 'nonce-2', later)).toBe('first-time');
  });

  it('keeps scopes apart, also when scope and nonce could run together', async () => {
    const store = new InMemoryReplayStore();
    expect(await store.seen('indx:key-1', 'nonce', later)).toBe('first-time');
    expect(await store.seen('indx:key-2', 'nonce', later)).toBe('first-time');
    expect(await store.seen('a:b', 'c', later)).toBe('first-time');
    expect(await store.seen('a', 'b:c', later)).toBe('first-time');
  });

  it('purges only expired nonces; an expired, unpurged nonce still counts as a replay', async () => {
    const store = new InMemoryReplayStore();
    await store.seen('s', 'old', new Date('2025-01-01T00:00:00Z'));
    await store.seen('s', 'new', new Date('2025-01-01T00:10:00Z'));
    expect(await store.seen('s', 'old', later)).toBe('replay');
    expect(await store.purgeExpired(new Date('2025-01-01T00:05:00Z'))).toBe(1);
    expect(store.size).toBe(1);
    expect(await store.seen('s', 'old', later)).toBe('first-time');
    expect(await store.seen('s', 'new', later)).toBe('replay');
  });
});
