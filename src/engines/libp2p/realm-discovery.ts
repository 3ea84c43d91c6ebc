/**
 * Finding members of a realm across networks: every node provides a record for the realm's content id in
 * the Kademlia DHT and looks up the other providers, now and then every `REDISCOVER_MS`. The content id
 * is derived from the realm key, so for a private realm only holders of the pre-shared key can compute
 * (and so look up or announce) it; what they find still has to pass realm admission.
 */
import type { Libp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'

const RAW_CODEC = 0x55
const REDISCOVER_MS = 60_000
/** After a round that found nobody (no DHT peers yet, say), the next comes sooner, doubling to the above. */
const FIRST_RETRY_MS = 2_000
const QUERY_TIMEOUT_MS = 30_000
/** Providers considered per lookup: enough to find the realm, bounded so a poisoned record set cannot flood us. */
const MAX_PROVIDERS = 20

export async function realmContentId(key: Uint8Array): Promise<CID> {
  return CID.createV1(RAW_CODEC, await sha256.digest(key))
}

export class RealmDiscovery {
  private readonly host: Libp2p
  private readonly key: Uint8Array
  private readonly found: (peer: string) => void
  private timer: NodeJS.Timeout | undefined
  private readonly abort = new AbortController()
  /** Lookups and announcements that failed (no DHT peers yet, timeouts); they are retried later. */
  failures = 0

  constructor(host: Libp2p, key: Uint8Array, found: (peer: string) => void) {
    this.host = host
    this.key = key
    this.found = found
  }

  start(): void {
    let retryMs = FIRST_RETRY_MS
    const round = (): void => {
      void this.round().then((providers) => {
        if (this.abort.signal.aborted) return
        const delay = providers > 0 ? REDISCOVER_MS : retryMs
        retryMs = providers > 0 ? FIRST_RETRY_MS : Math.min(REDISCOVER_MS, retryMs * 2)
        this.timer = setTimeout(round, delay).unref()
      })
    }
    round()
  }

  stop(): void {
    this.abort.abort()
    clearTimeout(this.timer)
  }

  /** One announcement and one lookup; resolves to the number of other providers found. */
  async round(): Promise<number> {
    const cid = await realmContentId(this.key)
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(QUERY_TIMEOUT_MS)])
    try {
      await this.host.contentRouting.provide(cid, { signal })
    } catch {
      this.failures++
    }
    let seen = 0
    try {
      for await (const provider of this.host.contentRouting.findProviders(cid, { signal })) {
        if (provider.multiaddrs.length > 0) {
          await this.host.peerStore.merge(provider.id, { multiaddrs: provider.multiaddrs }).catch(() => {})
        }
        if (provider.id.equals(this.host.peerId)) continue
        this.found(provider.id.toString())
        if (++seen >= MAX_PROVIDERS) break
      }
    } catch {
      this.failures++
    }
    return seen
  }
}
