/**
 * When a peer cannot be reached (its dial failed, or its connection failed realm admission), frames to it
 * are dropped for a while instead of redialling at every frame: 0.5 s after the first failure, doubling
 * to a minute, with jitter so that a cluster does not redial a returning peer in lockstep. Membership
 * sends to a member several times a second, so without this a peer with the wrong realm key was dialled
 * about four times a second, forever. One instance is shared by every protocol's links.
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
    const base = Math.min(this.options.maxDelayMs, this.options.firstDelayMs * 2 ** (entry.failures - 1))
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
