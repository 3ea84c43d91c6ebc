/**
 * Runs the membership core on a real network: libp2p for transport and identity, the process clock for
 * time, `setTimeout` for the core's deadlines. Everything protocol-shaped stays in the sans-IO core; this
 * file only moves bytes and time in and out of it (docs/adr/0001-sans-io-protocol-cores.md).
 *
 * Join: seed multiaddrs are dialled (retried until they answer) to learn their peer ids, then the core
 * joins through them. Addresses in member records are given to libp2p's peer store before a dial, so any
 * member can reach any other without a discovery service.
 *
 * Hostile input: a frame that fails to decode is dropped and counted by reason; a peer that sends
 * `MAX_BAD_FRAMES_PER_MINUTE` of them is disconnected.
 */
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { DEFAULT_MAX_FRAME_BYTES, MeshError, Random, RejectionCounter } from '../../kernel/index.ts'
import type {
  FaultSpec,
  MembersView,
  NodeMetrics,
  NodeOptions,
  NodeStatus,
  RunningNode,
} from '../../node/index.ts'
import { validateLinkShape } from '../../node/index.ts'
import {
  DEFAULT_PROFILE,
  decodeMessage,
  encodeMessage,
  Membership,
  type MembershipEvent,
  membershipConfig,
} from '../../protocols/membership/index.ts'
import { VERSION } from '../../version.ts'
import { Admission, realmKey } from './admission.ts'
import { createHost } from './host.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { LinkShaper } from './link-shaper.ts'
import { PeerLinks } from './peer-links.ts'
import { RealmDiscovery } from './realm-discovery.ts'

export const MEMBERSHIP_PROTOCOL = '/meshwork/membership/1'
/** Records carry at most 16 addresses (the membership codec's wire limit). */
const MAX_ADVERTISED_ADDRESSES = 16
const MAX_BAD_FRAMES_PER_MINUTE = 20
/** How long a leaving node keeps running so that its leave announcement gets out. */
const LEAVE_FLUSH_MS = 300
const SEED_RETRY_MS = 1_000
/** A connection that has not proved the realm key within this time is closed. */
const ADMISSION_TIMEOUT_MS = 5_000

export async function startNode(options: NodeOptions): Promise<Libp2pNode> {
  const privateKey = await loadOrCreateIdentity(options.dataDir)
  const host = await createHost({
    privateKey,
    listen: options.listen,
    mdns: options.mdns,
    dht: options.dht ?? false,
    dhtServer: options.dhtServer ?? false,
    nat: options.nat ?? false,
    allowPeers: options.allowPeers,
  })
  await host.start()
  const node = new Libp2pNode(host, options)
  await node.start()
  return node
}

export class Libp2pNode implements RunningNode {
  readonly peerId: string
  private readonly host: Libp2p
  private readonly options: NodeOptions
  private readonly core: Membership
  private readonly links: PeerLinks
  private readonly admission: Admission
  private readonly shaper: LinkShaper
  private discovery: RealmDiscovery | undefined
  private readonly listeners = new Set<(event: MembershipEvent) => void>()
  private readonly rejections = new RejectionCounter()
  private readonly badFrames = new Map<string, number>()
  private readonly startedAt = performance.now()
  private droppedPeers = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private timerAt = Number.POSITIVE_INFINITY
  private stopping = false
  private peersDisconnected = 0
  private seedTimer: NodeJS.Timeout | undefined
  private badFrameReset: NodeJS.Timeout | undefined

  constructor(host: Libp2p, options: NodeOptions) {
    this.host = host
    this.options = options
    this.peerId = host.peerId.toString()
    this.core = new Membership({
      self: this.peerId,
      addresses: this.advertisedAddresses(),
      profile: {
        ...DEFAULT_PROFILE,
        labels: [...options.labels],
        capacity: options.capacity,
        memoryMb: options.memoryMb,
        connectionClass: options.connectionClass,
        region: options.region,
        hidden: options.hidden,
      },
      config: membershipConfig(options.connectionClass),
      random: new Random(`${this.peerId}/${Date.now()}`),
      now: this.now(),
    })
    this.shaper = new LinkShaper(`link-shaper/${this.peerId}`)
    this.admission = new Admission(host, realmKey(options.realm, options.realmKey), ADMISSION_TIMEOUT_MS)
    this.links = new PeerLinks(host, {
      admit: (connection) => this.admission.wait(connection),
      shaper: this.shaper,
      protocol: MEMBERSHIP_PROTOCOL,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      maxQueuedFrames: 256,
      dialBackoffMs: 500,
      dialTimeoutMs: 5_000,
      toPeerId: (peer) => this.prepareDial(peer),
      onFrame: (peer, frame) => this.onFrame(peer, frame),
      onStreamError: (peer, error) => this.reject(peer, error),
    })
  }

  async start(): Promise<void> {
    await this.admission.start()
    await this.links.start()
    this.host.addEventListener('peer:disconnect', (event) => {
      const peer = event.detail.toString()
      this.links.forget(peer)
      this.input((now) => this.core.connectionLost(now, peer))
    })
    // mDNS (when on) finds nodes on the local network: join through any that membership does not know yet.
    // Realm admission keeps other realms out, so two clusters of one realm on a LAN merge into one.
    this.host.addEventListener('peer:discovery', (event) => {
      const peer = event.detail.id.toString()
      if (peer === this.peerId || this.core.member(peer) !== undefined || this.stopping) return
      this.input((now) => this.core.join(now, [peer]))
    })
    if (this.options.dht === true) {
      this.discovery = new RealmDiscovery(
        this.host,
        realmKey(this.options.realm, this.options.realmKey),
        (peer) => {
          if (peer === this.peerId || this.core.member(peer) !== undefined || this.stopping) return
          this.input((now) => this.core.join(now, [peer]))
        },
      )
      this.discovery.start()
    }
    this.badFrameReset = setInterval(() => this.badFrames.clear(), 60_000)
    this.badFrameReset.unref()
    await this.joinSeeds()
  }

  // ── RunningNode ──────────────────────────────────────────────────────────────────────────────────

  status(): NodeStatus {
    const counts = this.core.memberCounts()
    return {
      peerId: this.peerId,
      realm: this.options.realm,
      state: this.stopping ? 'stopping' : this.core.isPartitioned ? 'partitioned' : 'running',
      members: counts,
      addresses: this.advertisedAddresses(),
      incarnation: this.core.incarnation,
      localHealth: this.core.localHealth,
      uptimeMs: Math.round(performance.now() - this.startedAt),
      version: VERSION,
    }
  }

  members(): MembersView {
    return {
      self: this.peerId,
      members: this.core.members().map((record) => {
        const rttMs = this.core.roundTripMs(record.id)
        return {
          peerId: record.id,
          state: record.state,
          incarnation: record.incarnation,
          addresses: record.addresses,
          profile: record.profile,
          ...(rttMs === undefined ? {} : { rttMs }),
        }
      }),
    }
  }

  subscribe(listener: (event: MembershipEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  metrics(): NodeMetrics {
    const counters = this.links.counters
    const roundTrips: number[] = []
    for (const record of this.core.members()) {
      const rtt = this.core.roundTripMs(record.id)
      if (rtt !== undefined) roundTrips.push(rtt)
    }
    return {
      messagesIn: counters.framesIn,
      messagesOut: counters.framesOut,
      bytesIn: counters.bytesIn,
      bytesOut: counters.bytesOut,
      rejectedFrames: this.rejections.toJSON(),
      probeRoundTripsMs: roundTrips,
      admissionFailures: this.admission.counters.failed,
      peersDisconnected: this.peersDisconnected,
    }
  }

  applyFaults(faults: FaultSpec): void {
    if (!this.options.allowFaultInjection) {
      throw new MeshError(
        'UNAVAILABLE',
        'fault injection is off; start the node with --allow-fault-injection',
      )
    }
    // validate everything before changing anything, so a bad request leaves the faults as they were
    if (faults.link !== undefined) validateLinkShape(faults.link)
    if (faults.link !== undefined) this.shaper.set(faults.link)
    if (faults.dropPeers !== undefined) this.droppedPeers = new Set(faults.dropPeers)
  }

  async stop(): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    clearTimeout(this.seedTimer)
    clearInterval(this.badFrameReset)
    this.discovery?.stop()
    this.input((now) => this.core.leave(now))
    await new Promise((resolve) => setTimeout(resolve, LEAVE_FLUSH_MS))
    clearTimeout(this.timer)
    await this.links.stop()
    await this.admission.stop()
    await this.host.stop()
  }

  /** Stops at once without announcing a leave: a crash, for the contract suite and chaos tests. */
  async kill(): Promise<void> {
    this.stopping = true
    this.discovery?.stop()
    clearTimeout(this.seedTimer)
    clearInterval(this.badFrameReset)
    clearTimeout(this.timer)
    await this.host.stop()
  }

  /** Hands raw bytes to the frame handler as if `peer` had sent them (hostile-input tests). */
  injectFrame(peer: string, frame: Uint8Array): void {
    this.onFrame(peer, frame)
  }

  // ── driving the core ─────────────────────────────────────────────────────────────────────────────

  private now(): number {
    return performance.now()
  }

  /** Runs one input against the core, then sends its output and re-arms the timer for its deadline. */
  private input(action: (now: number) => void): void {
    const now = this.now()
    action(now)
    for (const { to, message } of this.core.takeOutbox()) {
      if (this.droppedPeers.has(to)) continue
      this.links.send(to, encodeMessage(message))
    }
    for (const event of this.core.takeEvents()) {
      for (const listener of this.listeners) listener(event)
    }
    this.arm()
  }

  private arm(): void {
    const deadline = this.core.nextDeadline()
    if (deadline === undefined || this.stopping) return
    if (deadline >= this.timerAt && this.timer !== undefined) return
    clearTimeout(this.timer)
    this.timerAt = deadline
    this.timer = setTimeout(
      () => {
        this.timer = undefined
        this.timerAt = Number.POSITIVE_INFINITY
        this.input((now) => this.core.tick(now))
      },
      Math.max(0, deadline - this.now()),
    )
  }

  private onFrame(peer: string, frame: Uint8Array): void {
    if (this.stopping || this.droppedPeers.has(peer)) return
    const decoded = decodeMessage(frame)
    if (!decoded.ok) {
      this.reject(peer, decoded.error)
      return
    }
    const message = decoded.value
    this.input((now) => this.core.receive(now, peer, message))
  }

  private reject(peer: string, reason: string): void {
    this.rejections.add(reason)
    const count = (this.badFrames.get(peer) ?? 0) + 1
    this.badFrames.set(peer, count)
    if (count === MAX_BAD_FRAMES_PER_MINUTE) {
      this.peersDisconnected++
      const peerId = this.toPeerId(peer)
      if (peerId !== undefined) void this.host.hangUp(peerId).catch(() => {})
    }
  }

  // ── addresses and seeds ──────────────────────────────────────────────────────────────────────────

  private advertisedAddresses(): string[] {
    return this.host
      .getMultiaddrs()
      .map((address) => address.toString())
      .slice(0, MAX_ADVERTISED_ADDRESSES)
  }

  private toPeerId(peer: string): PeerId | undefined {
    try {
      return peerIdFromString(peer)
    } catch {
      return undefined
    }
  }

  /** Gives libp2p the addresses membership knows for `peer`, so that a dial by peer id can succeed. */
  private prepareDial(peer: string): PeerId | undefined {
    const peerId = this.toPeerId(peer)
    const record = this.core.member(peer)
    if (peerId !== undefined && record !== undefined && record.addresses.length > 0) {
      const multiaddrs = record.addresses.flatMap((text) => {
        try {
          return [multiaddr(text)]
        } catch {
          return []
        }
      })
      void this.host.peerStore.merge(peerId, { multiaddrs }).catch(() => {})
    }
    return peerId
  }

  /** Dials every seed until it answers, then joins through those whose peer ids are known. */
  private async joinSeeds(): Promise<void> {
    const pending = new Set(this.options.seeds)
    const known: string[] = []
    let joinedThrough = 0
    const attempt = async (): Promise<void> => {
      for (const seed of [...pending]) {
        try {
          const connection = await this.host.dial(multiaddr(seed), { signal: AbortSignal.timeout(5_000) })
          const id = connection.remotePeer.toString()
          pending.delete(seed)
          if (id !== this.peerId && !known.includes(id)) known.push(id)
        } catch {
          // not up yet: retried below
        }
      }
      if (known.length > joinedThrough) {
        joinedThrough = known.length
        this.input((now) => this.core.join(now, known))
      }
      if (pending.size > 0 && !this.stopping) {
        this.seedTimer = setTimeout(() => void attempt(), SEED_RETRY_MS)
        this.seedTimer.unref()
      }
    }
    if (pending.size === 0) {
      this.arm()
      return
    }
    await attempt()
  }
}
