/**
 * When a peer cannot be reached, frames to it are dropped for a while instead of redialling at every
 * frame. How long depends on why:
 * - its connection failed realm admission (another realm, another key): that will not fix itself, so the
 *   delay doubles from 0.5 s up to a minute, with jitter. Membership sends to a member several times a
 *   second, so without this a peer with the wrong realm key was dialled about four times a second forever.
 * - the dial failed (refused, timed out): the peer may be down, or just busy — a node refuses inbound
 *   connections while too many are pending. Deciding that it is down is membership's job, so the delay
 *   stays at 0.5 s: a growing delay here dropped probes and refutations for seconds and turned a busy
 *   moment into false failures (16 nodes joining at once).
 * One instance is shared by every protocol's links.
 *
 * Bounded: at most `maxPeers` peers are remembered (the oldest entry goes first); forgetting one only
 * means its next frame tries again.
 */
import { BoundedMap, Random } from '../../kernel/index.ts'

export type DialFailure = 'dial' | 'admission'

export interface DialBackoffOptions {
  readonly firstDelayMs: number
  readonly maxDelayMs: number
  readonly maxPeers: number
  /** Called at each failure with the delay before the next attempt. */
  readonly onFailure?: (peer: string, why: DialFailure, failures: number, retryInMs: number) => void
  readonly now?: () => number
}

interface Entry {
  failures: number
  retryAt: number
}

export class DialBackoff {
  private readonly options: DialBackoffOptions
  private readonly peers: BoundedMap<string, Entry>
  private readonly random = new Random('dial-backoff')
  private readonly now: () => number

  constructor(options: DialBackoffOptions) {
    this.options = options
    this.peers = new BoundedMap(options.maxPeers)
    this.now = options.now ?? (() => performance.now())
  }

  /** Whether `peer` failed recently and should not be dialled yet. */
  waiting(peer: string): boolean {
    const entry = this.peers.get(peer)
    return entry !== undefined && this.now() < entry.retryAt
  }

  failed(peer: string, why: DialFailure): void {
    const entry = this.peers.get(peer) ?? { failures: 0, retryAt: 0 }
    entry.failures++
    const growth = why === 'admission' ? 2 ** (entry.failures - 1) : 1
    const base = Math.min(this.options.maxDelayMs, this.options.firstDelayMs * growth)
    const delayMs = Math.round(base * (0.75 + 0.5 * this.random.float()))
    entry.retryAt = this.now() + delayMs
    this.peers.set(peer, entry)
    this.options.onFailure?.(peer, why, entry.failures, delayMs)
  }

  succeeded(peer: string): void {
    this.peers.delete(peer)
  }

  /** Consecutive failures of `peer` so far (0 when it is not backing off). */
  failures(peer: string): number {
    return this.peers.get(peer)?.failures ?? 0
  }
}
