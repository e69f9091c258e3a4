/**
 * Deterministic pseudo-random numbers: the same seed always gives the same sandbox. Each purpose
 * (seeding INDX, live activity, fault decisions…) forks its own stream by label, so adding a draw
 * in one place does not shift the numbers everywhere else.
 */
export type RandomPosition = readonly [number, number, number, number];

/** Every stream forked from one root, by a key stable across runs of the same code and seed. */
class StreamRegistry {
  readonly streams = new Map<string, Random>();

  register(stream: Random): void {
    // A label forked twice from the same parent gives two streams: number the repeats.
    let key = stream.seed;
    for (let repeat = 2; this.streams.has(key); repeat += 1) key = `${stream.seed}#${repeat}`;
    this.streams.set(key, stream);
  }
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private readonly registry: StreamRegistry;

  constructor(readonly seed: string, registry?: StreamRegistry) {
    [this.a, this.b, this.c, this.d] = seedState(seed);
    // Discard the first outputs: sfc32 mixes its state in over a few rounds.
    for (let i = 0; i < 12; i += 1) this.nextUint32();
    this.registry = registry ?? new StreamRegistry();
    this.registry.register(this);
  }

  /** A child stream, independent of this one's position. */
  fork(label: string): Random {
    return new Random(`${this.seed}/${label}`, this.registry);
  }

  /** The position of this stream and of every stream forked from the same root. */
  positions(): Map<string, RandomPosition> {
    return new Map([...this.registry.streams].map(([key, stream]) => [key, [stream.a, stream.b, stream.c, stream.d] as const]));
  }

  /**
   * Moves every known stream to its saved position (a restart continues the same sequences, so
   * ids drawn after it never repeat earlier ones). A saved stream this code no longer forks is an error.
   */
  restorePositions(saved: ReadonlyMap<string, RandomPosition>): void {
    const unknown = [...saved.keys()].filter((key) => !this.registry.streams.has(key));
    if (unknown.length > 0) throw new Error(`the saved random streams include ones this sandbox does not have: ${unknown.slice(0, 5).join(', ')}`);
    for (const [key, stream] of this.registry.streams) {
      const position = saved.get(key);
      if (position !== undefined) [stream.a, stream.b, stream.c, stream.d] = position;
    }
  }

  /** Uniform in [0, 2^32). sfc32 (Chris Doty-Humphrey's small fast counting generator). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). For probabilities and choices, never for money. */
  next(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** Uniform integer in [min, max] (inclusive), for ranges within 2^32. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform bigint in [min, max] (inclusive). */
  bigint(min: bigint, max: bigint): bigint {
    const span = max - min + 1n;
    if (span <= 0x1_0000_0000n) return min + BigInt(Math.floor(this.next() * Number(span)));
    let value = 0n;
    // 64 random bits per 32 bits of span keep the modulo bias negligible.
    const words = Math.max(2, Math.ceil(span.toString(2).length / 32) * 2);
    for (let i = 0; i < words; i += 1) value = (value << 32n) | BigInt(this.nextUint32());
    return min + (value % span);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('cannot pick from an empty list');
    return item;
  }

  /** Characters drawn from `alphabet`. */
  chars(length: number, alphabet: string): string {
    let text = '';
    for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(this.next() * alphabet.length)];
    return text;
  }

  digits(length: number): string {
    return this.chars(length, '0123456789');
  }

  hex(length: number): string {
    let text = '';
    for (let written = 0; written < length; written += 8) {
      const word = this.nextUint32();
      text += `${byteHex(word >>> 24)}${byteHex((word >>> 16) & 255)}${byteHex((word >>> 8) & 255)}${byteHex(word & 255)}`;
    }
    return text.length === length ? text : text.slice(0, length);
  }

  alphanumeric(length: number): string {
    return this.chars(length, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  }

  /** A version-4-shaped UUID from this stream. */
  uuid(): string {
    const h = this.hex(32);
    const variant = '89ab'[this.nextUint32() & 3] ?? '8';
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
  }
}

const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function byteHex(byte: number): string {
  return BYTE_HEX[byte] ?? '00';
}

/** Four 32-bit words from a string (cyrb128), so any text works as a seed. */
function seedState(seed: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i += 1) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
