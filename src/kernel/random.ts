/**
 * Seeded pseudo-random numbers for deterministic simulation and sans-IO cores.
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018),
 * 32-bit words only, so every operation is an exact integer operation in JavaScript (`Math.imul`, `>>>`)
 * and a replay is bit-exact on every platform. Seeds are expanded with splitmix32 so that nearby seeds
 * (1, 2, 3 …) give unrelated streams.
 *
 * Streams: `fork(label)` derives an independent child from this generator's *seed* and a label, without
 * advancing this generator, so adding a new consumer never shifts the numbers an existing one sees
 * (FoundationDB's rule that debugging never draws from the stream that drives the simulation).
 */

const TWO_POW_32 = 0x1_0000_0000
const TWO_POW_53 = 2 ** 53

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0
  let z = state.s
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** murmur3's 32-bit finaliser: every input bit flips each output bit with probability ≈ 1/2. */
export function fmix32(value: number): number {
  let hash = value
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  hash = Math.imul(hash, 0xc2b2ae35)
  hash ^= hash >>> 16
  return hash >>> 0
}

/** FNV-1a over UTF-16 code units: a fast, stable 32-bit hash for labels and ids. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  // final avalanche so short labels differ in every bit
  return fmix32(hash)
}

/** Accepts an integer seed (any safe integer) or a string. */
export type Seed = number | string

function seedWords(seed: Seed): [number, number, number, number] {
  let low: number
  let high: number
  if (typeof seed === 'string') {
    low = hashString(seed)
    high = hashString(seed, 0x9747b28c)
  } else {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`)
    low = seed >>> 0
    high = Math.floor(Math.abs(seed) / TWO_POW_32) >>> 0
    if (seed < 0) high = (high ^ 0x80000000) >>> 0
  }
  const state = { s: low ^ Math.imul(high, 0x27d4eb2d) }
  return [splitmix32(state), splitmix32(state), splitmix32(state) ^ high, splitmix32(state)]
}

export class Random {
  /** The words this generator started from; `fork` derives children from these, not from the live state. */
  private origin: readonly [number, number, number, number] = [1, 0, 0, 0]
  private s0 = 1
  private s1 = 0
  private s2 = 0
  private s3 = 0

  constructor(seed: Seed) {
    this.reset(seedWords(seed))
  }

  private reset(words: [number, number, number, number]): void {
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1 // the all-zero state is a fixed point
    this.origin = words
    this.s0 = words[0]
    this.s1 = words[1]
    this.s2 = words[2]
    this.s3 = words[3]
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result
  }

  /** A uniformly distributed float in [0, 1) with 53 bits of precision. */
  float(): number {
    const high = this.nextU32() >>> 5 // 27 bits
    const low = this.nextU32() >>> 6 // 26 bits
    return (high * 67108864 + low) / TWO_POW_53
  }

  /** An unbiased integer in [0, bound) for 1 ≤ bound ≤ 2^32 (rejection sampling, no modulo bias). */
  intBelow(bound: number): number {
    if (!(bound >= 1 && bound <= TWO_POW_32) || !Number.isInteger(bound)) {
      throw new RangeError(`intBelow bound must be an integer in [1, 2^32], got ${bound}`)
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % bound)
    for (;;) {
      const x = this.nextU32()
      if (x < limit) return x % bound
    }
  }

  /** An integer in [min, max], both inclusive. */
  intBetween(min: number, max: number): number {
    return min + this.intBelow(max - min + 1)
  }

  /** A float in [min, max). */
  floatBetween(min: number, max: number): number {
    return min + (max - min) * this.float()
  }

  /** True with probability `p` (p ≤ 0 never, p ≥ 1 always, and neither draws a number). */
  chance(p: number): boolean {
    if (p <= 0) return false
    if (p >= 1) return true
    return this.float() < p
  }

  /** A standard normal deviate (Box–Muller); scale with `mean + sd * normal()`. */
  normal(): number {
    let u = this.float()
    while (u === 0) u = this.float()
    const v = this.float()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  /** An exponential deviate with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float())
  }

  /** One element chosen uniformly; `undefined` for an empty array. */
  pick<T>(items: readonly T[]): T | undefined {
    if (items.length === 0) return undefined
    return items[this.intBelow(items.length)]
  }

  /** Shuffles in place with the Fisher–Yates (Durstenfeld) algorithm and returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.intBelow(i + 1)
      const held = items[i] as T
      items[i] = items[j] as T
      items[j] = held
    }
    return items
  }

  /**
   * `count` distinct elements chosen uniformly without replacement, in random order. Uses a partial
   * Fisher–Yates over a copy when `count` is a large share of the input, and rejection on indices
   * otherwise, so sampling 3 of 1,000,000 costs O(3), not O(n).
   */
  sample<T>(items: readonly T[], count: number): T[] {
    const n = items.length
    const k = Math.max(0, Math.min(count, n))
    if (k === 0) return []
    if (k * 4 > n) {
      const copy = items.slice()
      for (let i = 0; i < k; i++) {
        const j = i + this.intBelow(n - i)
        const held = copy[i] as T
        copy[i] = copy[j] as T
        copy[j] = held
      }
      copy.length = k
      return copy
    }
    const chosen = new Set<number>()
    const out: T[] = []
    while (out.length < k) {
      const index = this.intBelow(n)
      if (chosen.has(index)) continue
      chosen.add(index)
      out.push(items[index] as T)
    }
    return out
  }

  /**
   * An independent child stream named by `label`. Deterministic in (this generator's seed, label) and
   * independent of how many numbers this generator has drawn.
   */
  fork(label: string | number): Random {
    const tag = typeof label === 'number' ? hashString(`#${label}`) : hashString(label)
    const child = new Random(0)
    const state = { s: (this.origin[0] ^ tag ^ Math.imul(this.origin[2], 0x9e3779b1)) | 0 }
    const words: [number, number, number, number] = [
      splitmix32(state) ^ this.origin[1],
      splitmix32(state) ^ this.origin[3],
      splitmix32(state),
      splitmix32(state) ^ tag,
    ]
    child.reset(words)
    return child
  }

  /** A child stream seeded from this generator's next outputs (advances this generator). */
  split(): Random {
    return new Random(this.nextU32() * 0x20_0000 + (this.nextU32() >>> 11))
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
