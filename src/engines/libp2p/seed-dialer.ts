/**
 * Reaches the configured seeds: dials each multiaddr until it answers and its connection passes realm
 * admission, then reports the peer ids reached so far (the node joins through them). A seed that refuses
 * admission (another realm, another key) is a configuration error an operator must see: it is reported,
 * and retried with a growing delay instead of once a second forever. A seed that does not answer yet is
 * retried soon at first (nodes started together, as `meshwork cluster up` starts them, dial a seed that is
 * still loading), then every `firstRetryMs`.
 */

import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'

export interface SeedDialerOptions {
  readonly seeds: readonly string[]
  readonly dialTimeoutMs: number
  /** The first retry of a seed that did not answer; doubled on each miss up to `firstRetryMs`. */
  readonly quickRetryMs: number
  readonly firstRetryMs: number
  readonly maxRetryMs: number
  readonly admit: (connection: Connection) => Promise<boolean>
  /** Every time a new seed is reached: all seed peer ids reached so far. */
  readonly reached: (peers: readonly string[]) => void
  readonly refused: (seed: string, peer: string, retryInMs: number) => void
}

export class SeedDialer {
  private readonly host: Libp2p
  private readonly options: SeedDialerOptions
  private readonly pending: Map<string, number>
  /** Per seed that has not answered yet: the delay before its next dial. */
  private readonly unanswered = new Map<string, number>()
  private readonly known: string[] = []
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(host: Libp2p, options: SeedDialerOptions) {
    this.host = host
    this.options = options
    this.pending = new Map(options.seeds.map((seed) => [seed, options.firstRetryMs]))
  }

  async start(): Promise<void> {
    await this.attempt()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  private async attempt(): Promise<void> {
    const self = this.host.peerId.toString()
    let grew = false
    let nextRetryMs = Number.POSITIVE_INFINITY
    for (const [seed, retryMs] of [...this.pending]) {
      if (this.stopped) return
      try {
        const connection = await this.host.dial(multiaddr(seed), {
          signal: AbortSignal.timeout(this.options.dialTimeoutMs),
        })
        const peer = connection.remotePeer.toString()
        if (peer === self) {
          this.pending.delete(seed)
          continue
        }
        if (!(await this.options.admit(connection))) {
          const next = Math.min(this.options.maxRetryMs, retryMs * 2)
          this.pending.set(seed, next)
          this.options.refused(seed, peer, retryMs)
          nextRetryMs = Math.min(nextRetryMs, retryMs)
          continue
        }
        this.pending.delete(seed)
        if (!this.known.includes(peer)) {
          this.known.push(peer)
          grew = true
        }
      } catch {
        // not up yet: retried below, soon at first
        const delayMs = this.unanswered.get(seed) ?? this.options.quickRetryMs
        this.unanswered.set(seed, Math.min(this.options.firstRetryMs, delayMs * 2))
        nextRetryMs = Math.min(nextRetryMs, delayMs)
      }
    }
    if (grew && !this.stopped) this.options.reached([...this.known])
    if (this.pending.size > 0 && !this.stopped) {
      this.timer = setTimeout(() => void this.attempt(), nextRetryMs)
      this.timer.unref()
    }
  }
}
