/** In-place replacement, for restoring state that routes already hold references to. */
export function replaceMap<K, V>(target: Map<K, V>, source: ReadonlyMap<K, V>): void {
  target.clear();
  for (const [key, value] of source) target.set(key, value);
}

export function replaceArray<T>(target: T[], source: readonly T[]): void {
  // A loop, not splice(...source): a seeded timeline can be longer than the argument limit.
  target.length = 0;
  for (const value of source) target.push(value);
}

export function replaceSet<T>(target: Set<T>, source: ReadonlySet<T>): void {
  target.clear();
  for (const value of source) target.add(value);
}
