/**
 * Peers found by discovery (mDNS on the LAN, the realm record in the DHT) and peers that simply connect
 * are strangers until they pass realm admission. This gate dials each candidate the node does not know
 * yet, waits for admission on that connection, and only then tells the node (`discovered`). A stranger
 * that never proves the realm key therefore never drives membership: it does not become a join target,
 * does not replace the seeds, and is not redialled by the protocol.
 *
 * Bounded: a few candidates in flight at once, and a peer that failed is not tried again for a while (a
 * bounded memory of recent attempts).
 */
import type { Connection } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2p } from 'libp2p'
import { BoundedMap } from '../../kernel/index.ts'

export interface DiscoveryGateOptions {
  readonly dialTimeoutMs: number
  readonly retryAfterMs: number
  readonly maxInFlight: number
  readonly maxRemembered: number
  /** Whether the node already deals with `peer` (nothing to do then). */
  readonly known: (peer: string) => boolean
  readonly admit: (connection: Connection) => Promise<boolean>
  readonly admitted: (peer: string) => void
}

export class DiscoveryGate {
  private readonly host: Libp2p
  private readonly options: DiscoveryGateOptions
  private readonly inFlight = new Set<string>()
  /** When each recent candidate was last tried. */
  private readonly tried: BoundedMap<string, number>
  private stopped = false
  /** Candidates skipped because `maxInFlight` were being checked. */
  skipped = 0

  constructor(host: Libp2p, options: DiscoveryGateOptions) {
    this.host = host
    this.options = options
    this.tried = new BoundedMap(options.maxRemembered)
  }

  stop(): void {
    this.stopped = true
  }

  /** A peer some discovery mechanism (or an inbound connection) brought to our attention. */
  candidate(peer: string): void {
    if (this.stopped || peer === this.host.peerId.toString() || this.options.known(peer)) return
    if (this.inFlight.has(peer)) return
    const last = this.tried.get(peer)
    if (last !== undefined && performance.now() - last < this.options.retryAfterMs) return
    if (this.inFlight.size >= this.options.maxInFlight) {
      this.skipped++
      return
    }
    this.tried.set(peer, performance.now())
    this.inFlight.add(peer)
    void this.check(peer).finally(() => this.inFlight.delete(peer))
  }

  private async check(peer: string): Promise<void> {
    try {
      const connection = await this.host.dial(peerIdFromString(peer), {
        signal: AbortSignal.timeout(this.options.dialTimeoutMs),
      })
      if (this.stopped || !(await this.options.admit(connection))) return
      if (!this.options.known(peer)) this.options.admitted(peer)
    } catch {
      // unreachable or not a peer id: tried again after `retryAfterMs` if it shows up again
    }
  }
}
