/**
 * Seeded randomness for repeatable runs: mulberry32 (tiny, fast, good enough
 * for simulation) and FNV-1a to derive independent streams from names, so a
 * job behaves the same whichever crawler happens to run it.
 */

/** A PRNG returning floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: a 32-bit hash of a string. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A seed for one named stream of a run: the same parts give the same stream. */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  return hashString(parts.join('\u0000'), hashString(String(seed >>> 0)));
}

export class Rng {
  private readonly next01: () => number;

  constructor(seed: number) {
    this.next01 = mulberry32(seed);
  }

  next(): number {
    return this.next01();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next01() * (max - min + 1));
  }

  float(min: number, max: number): number {
    return min + this.next01() * (max - min);
  }

  chance(p: number): boolean {
    return p > 0 && this.next01() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next01() * items.length)]!;
  }

  /** `count` distinct items, in random order (count is capped at the list's length). */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(this.next01() * pool.length), 1)[0]!);
    return out;
  }
}
