/**
 * Runs a `MeshNode` on the real network. The driver is what an engine is: a clock (wall-clock milliseconds, monotonic: `now()`),
 * one timer at the node's next deadline, one stream link per protocol module (with that module's
 * delivery policy), realm admission in front of everything, and hints from the network (seeds reached,
 * peers discovered and admitted, connections lost, addresses changed). It knows no protocol: what the
 * node says goes out on the protocol it names, and what arrives goes in with the protocol it came on.
 *
 * Hostile input: a frame that fails to decode is dropped and counted by protocol and reason; a peer that
 * sends `MAX_BAD_FRAMES_PER_MINUTE` of them is disconnected. Frames for peers the node does not deal with
 * create no state (`peer-links.ts`).
 */
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { BoundedMap, MeshError, type Millis, RejectionCounter } from '../../kernel/index.ts'
import type { FaultSpec, MeshNode, NodeLog, NodeStatus, RunningNode } from '../../node/index.ts'
import { type ReplicatedState, SNAPSHOT_INTERVAL_MS, validateLinkShape } from '../../node/index.ts'
import type {
  EngineHint,
  JsonObject,
  JsonValue,
  MetricSample,
  ModuleCore,
  ModuleEvent,
  ProtocolModule,
} from '../../protocols/index.ts'
import { VERSION } from '../../version.ts'
import type { Admission } from './admission.ts'
import type { ConnectionLimits } from './connection-limits.ts'
import { DialBackoff } from './dial-backoff.ts'
import { DiscoveryGate } from './discovery-gate.ts'
import type { FrameReadError } from './framing.ts'
import { LinkShaper } from './link-shaper.ts'
import { type LinkCounters, PeerLinks } from './peer-links.ts'
import { RealmDiscovery } from './realm-discovery.ts'
import { SeedDialer } from './seed-dialer.ts'

export interface DriverOptions {
  readonly realm: string
  /** The realm key (for DHT discovery of the realm record). */
  readonly realmKey: Uint8Array
  readonly seeds: readonly string[]
  readonly dht: boolean
  readonly allowFaultInjection: boolean
  readonly admission: Admission
  readonly limits: ConnectionLimits
  readonly log?: NodeLog
}

/** Records carry at most 16 addresses (the membership codec's wire limit). */
const MAX_ADVERTISED_ADDRESSES = 16
const MAX_BAD_FRAMES_PER_MINUTE = 20
/** How long a leaving node keeps running so that its leave announcement gets out. */
const LEAVE_FLUSH_MS = 300
const DIAL_TIMEOUT_MS = 5_000
/** Links per protocol at most; members and admitted peers only, so this is a second line of defence. */
const MAX_LINKS = 65_536
/** Peers whose failed dials are remembered for backoff. */
const MAX_BACKOFF_PEERS = 4_096

export class Libp2pDriver implements RunningNode {
  readonly peerId: string
  private readonly host: Libp2p
  private readonly node: MeshNode
  private readonly options: DriverOptions
  private readonly links = new Map<string, PeerLinks>()
  private readonly backoff: DialBackoff
  private readonly shaper: LinkShaper
  private readonly gate: DiscoveryGate
  private readonly seeds: SeedDialer
  private discovery: RealmDiscovery | undefined
  private readonly listeners = new Set<(event: JsonObject) => void>()
  private readonly badFrames = new BoundedMap<string, number>(4_096)
  /** Streams aborted for a bad or oversized length prefix, by protocol name. */
  private readonly streamRejections = new Map<string, RejectionCounter<FrameReadError>>()
  /** Inbound admission failures already logged, per peer, so a hostile peer cannot flood the log. */
  private readonly loggedFailures = new BoundedMap<string, number>(1_024)
  private readonly startedAt = performance.now()
  private droppedPeers = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private replicated: ReplicatedState | undefined
  private stateStore: { close(): void } | undefined
  private snapshotTimer: NodeJS.Timeout | undefined
  private timerAt = Number.POSITIVE_INFINITY
  private stopping = false
  private peersDisconnected = 0
  private badFrameReset: NodeJS.Timeout | undefined
  private advertised: string[]

  constructor(host: Libp2p, node: MeshNode, options: DriverOptions) {
    this.host = host
    this.node = node
    this.options = options
    this.peerId = host.peerId.toString()
    this.advertised = advertisedAddresses(host)
    this.shaper = new LinkShaper(`link-shaper/${this.peerId}`)
    this.backoff = new DialBackoff({
      firstDelayMs: 500,
      maxDelayMs: 60_000,
      maxPeers: MAX_BACKOFF_PEERS,
      onFailure: (peer, why, failures, retryInMs) => {
        if (why !== 'admission') return
        options.log?.warn(
          { peer, failures, retryInMs },
          `realm admission with ${shortId(peer)} failed (another realm or realm key?); retrying in ${seconds(retryInMs)}`,
        )
      },
    })
    for (const protocol of node.protocols) {
      const module = node.module(protocol)
      if (module === undefined) continue
      this.links.set(
        protocol,
        new PeerLinks(host, {
          protocol,
          delivery: module.delivery,
          maxFrameBytes: module.maxFrameBytes,
          maxLinks: MAX_LINKS,
          dialTimeoutMs: DIAL_TIMEOUT_MS,
          mayLink: (peer) => this.node.knows(peer) || options.admission.isAdmitted(peer),
          toPeerId: (peer) => this.prepareDial(peer),
          onFrame: (peer, frame) => this.onFrame(protocol, peer, frame),
          onStreamError: (peer, error) => {
            this.streamRejection(module.name).add(error)
            this.reject(peer)
          },
          onRefused: (peer, frame) => this.onRefused(protocol, peer, frame),
          // told after the input that sent the frame, not inside it: hints are inputs of their own
          onOpening: (peer) => queueMicrotask(() => this.hint({ kind: 'opening', peer })),
          admit: (connection) => options.admission.wait(connection),
          backoff: this.backoff,
          shaper: this.shaper,
        }),
      )
    }
    this.gate = new DiscoveryGate(host, {
      dialTimeoutMs: DIAL_TIMEOUT_MS,
      retryAfterMs: 30_000,
      maxInFlight: 8,
      maxRemembered: 1_024,
      known: (peer) => this.node.knows(peer),
      admit: (connection) => options.admission.wait(connection),
      admitted: (peer) => this.hint({ kind: 'discovered', peer }),
    })
    this.seeds = new SeedDialer(host, {
      seeds: options.seeds,
      dialTimeoutMs: DIAL_TIMEOUT_MS,
      // a seed started together with this node listens within a few hundred milliseconds: 0.25, 0.5, 1 s
      quickRetryMs: 250,
      firstRetryMs: 1_000,
      maxRetryMs: 60_000,
      admit: (connection) => options.admission.wait(connection),
      reached: (peers) => this.hint({ kind: 'seeds', peers }),
      refused: (seed, peer, retryInMs) =>
        options.log?.warn(
          { seed, peer, retryInMs },
          `seed ${seed} refused realm admission (another realm or realm key?); retrying in ${seconds(retryInMs)}`,
        ),
    })
  }

  async start(): Promise<void> {
    for (const links of this.links.values()) await links.start()
    this.host.addEventListener('peer:disconnect', (event) => {
      const peer = event.detail.toString()
      for (const links of this.links.values()) links.forget(peer)
      if (!this.stopping) this.hint({ kind: 'connection-lost', peer })
    })
    // mDNS (when on) and identify report peers; none of them reaches the node before admission
    this.host.addEventListener('peer:discovery', (event) => this.gate.candidate(event.detail.id.toString()))
    this.host.addEventListener('self:peer:update', () => {
      const addresses = advertisedAddresses(this.host)
      if (sameList(addresses, this.advertised)) return
      this.advertised = addresses
      this.hint({ kind: 'addresses', addresses })
    })
    if (this.options.dht) {
      this.discovery = new RealmDiscovery(this.host, this.options.realmKey, (peer) =>
        this.gate.candidate(peer),
      )
      this.discovery.start()
    }
    this.badFrameReset = setInterval(() => this.badFrames.clear(), 60_000)
    this.badFrameReset.unref()
    this.arm()
    await this.seeds.start()
  }

  /** Logs an inbound admission failure, at most once a minute per peer. */
  admissionFailed(peer: string, direction: 'inbound' | 'outbound', why: string): void {
    if (direction === 'outbound') return // the dialling side logs with its retry (see `backoff`)
    const now = performance.now()
    const last = this.loggedFailures.get(peer)
    if (last !== undefined && now - last < 60_000) return
    this.loggedFailures.set(peer, now)
    this.options.log?.warn(
      { peer, why },
      `refused a connection from ${shortId(peer)}: realm admission ${why === 'stalled' ? 'never completed' : 'failed'}`,
    )
  }

  // ── RunningNode ──────────────────────────────────────────────────────────────────────────────────

  status(): NodeStatus {
    const { condition, fields } = this.node.status()
    return {
      ...fields,
      peerId: this.peerId,
      realm: this.options.realm,
      state: this.stopping ? 'stopping' : (condition ?? 'running'),
      addresses: this.advertised,
      uptimeMs: Math.round(performance.now() - this.startedAt),
      version: VERSION,
    }
  }

  view(name: string): JsonValue | undefined {
    return this.node.view(name)
  }

  subscribe(listener: (event: JsonObject) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  metrics(): MetricSample[] {
    return [...this.transportMetrics(), ...this.node.metrics()]
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

  /** The node's replicated state (`node.state`), once `startNode` attached it with its store. */
  get state(): ReplicatedState {
    if (this.replicated === undefined)
      throw new MeshError('UNAVAILABLE', 'this node keeps no replicated state')
    return this.replicated
  }

  replicatedState(): ReplicatedState | undefined {
    return this.replicated
  }

  /** Gives the node its replicated state and the store behind it; both close when the node stops. */
  attachState(state: ReplicatedState, store: { close(): void }): void {
    this.replicated = state
    this.stateStore = store
    this.snapshotTimer = setInterval(() => state.snapshot(), SNAPSHOT_INTERVAL_MS)
    this.snapshotTimer.unref()
  }

  async stop(): Promise<void> {
    if (this.stopping) return
    clearInterval(this.snapshotTimer)
    this.replicated?.close()
    this.hint({ kind: 'leave' })
    this.stopping = true
    this.quiesce()
    await new Promise((resolve) => setTimeout(resolve, LEAVE_FLUSH_MS))
    clearTimeout(this.timer)
    for (const links of this.links.values()) await links.stop()
    await this.options.admission.stop()
    await this.host.stop()
    this.stateStore?.close()
  }

  /** Stops at once without announcing a leave: a crash, for the contract suite and chaos tests. */
  async kill(): Promise<void> {
    clearInterval(this.snapshotTimer)
    this.stopping = true
    this.quiesce()
    clearTimeout(this.timer)
    await this.host.stop()
    this.stateStore?.close()
  }

  /**
   * Runs a local operation on `module`'s core as an input (`MeshNode.act`), sends what it produced, and
   * returns its result: how the library's state and pub/sub calls reach their cores.
   */
  act<C extends ModuleCore<M, E>, M, E extends ModuleEvent, R>(
    module: ProtocolModule<C, M, E>,
    operation: (core: C, now: Millis) => R,
  ): R {
    if (this.stopping) throw new MeshError('UNAVAILABLE', 'the node is stopping')
    let result: R | undefined
    this.input((now) => {
      result = this.node.act(now, module, (core) => operation(core, now))
    })
    return result as R
  }

  /** Hands raw bytes to the node as if `peer` had sent them on `protocol` (hostile-input tests). */
  injectFrame(protocol: string, peer: string, frame: Uint8Array): void {
    this.onFrame(protocol, peer, frame)
  }

  /** The composed node (tests and the contract suite read its cores). */
  get meshNode(): MeshNode {
    return this.node
  }

  /** Frames dropped on receipt, by protocol name and reason: the node's decode failures and the streams' framing errors. */
  rejectedFrames(): Record<string, Record<string, number>> {
    const out = this.node.rejectedFrames()
    for (const [name, counter] of this.streamRejections) out[name] = { ...out[name], ...counter.toJSON() }
    return out
  }

  /** Links held per protocol (made-up peer ids must not grow this). */
  linkCount(): number {
    let count = 0
    for (const links of this.links.values()) count += links.size
    return count
  }

  // ── driving the node ─────────────────────────────────────────────────────────────────────────────

  /**
   * Wall-clock milliseconds, monotonic within the process: cores compare times across nodes only where
   * they must (a batch's seal time against the receiver's window, hybrid logical clocks), and those need
   * one time base everywhere.
   */
  private now(): Millis {
    return performance.timeOrigin + performance.now()
  }

  private hint(hint: EngineHint): void {
    if (this.stopping) return
    this.input((now) => this.node.hint(now, hint))
  }

  /** Runs one input against the node, then sends its output and re-arms the timer for its deadline. */
  private input(action: (now: Millis) => void): void {
    action(this.now())
    for (const { to, protocol, message } of this.node.takeOutbox()) {
      if (this.droppedPeers.has(to)) continue
      const module = this.node.module(protocol)
      const links = this.links.get(protocol)
      if (module === undefined || links === undefined) continue
      links.send(to, module.codec.encode(message))
    }
    for (const event of this.node.takeEvents()) {
      if (this.listeners.size === 0) break
      const json = this.node.eventJson(event)
      for (const listener of this.listeners) listener(json)
    }
    this.options.limits.setPeerCount(this.node.peerCount())
    this.arm()
  }

  private arm(): void {
    const deadline = this.node.nextDeadline()
    if (deadline === undefined || this.stopping) return
    if (deadline >= this.timerAt && this.timer !== undefined) return
    clearTimeout(this.timer)
    this.timerAt = deadline
    this.timer = setTimeout(
      () => {
        this.timer = undefined
        this.timerAt = Number.POSITIVE_INFINITY
        // Node runs due timers before it reads the sockets. After a stall (ten processes on two cores,
        // a GC pause) the ack a probe waits for may already be in the socket, unread, when its timeout
        // fires; ticking here would judge the probe before reading it and suspect a live member. The
        // tick waits for the check phase, after the poll phase has read whatever had arrived.
        setImmediate(() => {
          if (!this.stopping) this.input((now) => this.node.tick(now))
        })
      },
      Math.max(0, deadline - this.now()),
    )
  }

  private quiesce(): void {
    this.seeds.stop()
    this.gate.stop()
    this.discovery?.stop()
    clearInterval(this.badFrameReset)
  }

  private onFrame(protocol: string, peer: string, frame: Uint8Array): void {
    if (this.stopping || this.droppedPeers.has(peer)) return
    let rejection: string | undefined
    this.input((now) => {
      rejection = this.node.receiveFrame(now, peer, protocol, frame)
    })
    if (rejection !== undefined) this.reject(peer)
  }

  private onRefused(protocol: string, peer: string, frame: Uint8Array): void {
    const module = this.node.module(protocol)
    const decoded = module?.codec.decode(frame)
    if (decoded === undefined || !decoded.ok) return
    this.input((now) => this.node.refused(now, peer, protocol, decoded.value))
  }

  private streamRejection(name: string): RejectionCounter<FrameReadError> {
    let counter = this.streamRejections.get(name)
    if (counter === undefined) {
      counter = new RejectionCounter()
      this.streamRejections.set(name, counter)
    }
    return counter
  }

  /** Counts a bad frame from `peer`; too many in a minute and the peer is disconnected. */
  private reject(peer: string): void {
    const count = (this.badFrames.get(peer) ?? 0) + 1
    this.badFrames.set(peer, count)
    if (count === MAX_BAD_FRAMES_PER_MINUTE) {
      this.peersDisconnected++
      const peerId = toPeerId(peer)
      if (peerId !== undefined) void this.host.hangUp(peerId).catch(() => {})
    }
  }

  /**
   * Gives libp2p the addresses the node knows for `peer` before a dial by peer id: only addresses that
   * came in a record the peer signed itself (membership verifies every record it keeps).
   */
  private prepareDial(peer: string): PeerId | undefined {
    const peerId = toPeerId(peer)
    if (peerId === undefined) return undefined
    const addresses = this.node.addressesOf(peer)
    if (addresses !== undefined && addresses.length > 0) {
      const multiaddrs = addresses.flatMap((text) => {
        try {
          return [multiaddr(text)]
        } catch {
          return []
        }
      })
      void this.host.peerStore.merge(peerId, { multiaddrs }).catch(() => {})
    }
    this.options.limits.tag(peerId)
    return peerId
  }

  // ── metrics ──────────────────────────────────────────────────────────────────────────────────────

  private transportMetrics(): MetricSample[] {
    const samples: MetricSample[] = []
    const counter = (name: string, help: string, value: number, labels?: Record<string, string>): void => {
      samples.push({ kind: 'counter', name, help, value, ...(labels === undefined ? {} : { labels }) })
    }
    for (const [protocol, links] of this.links) {
      const name = this.node.module(protocol)?.name ?? protocol
      const c = links.counters
      for (const [metric, help, value, labels] of linkCounters(c)) {
        counter(metric, help, value, { protocol: name, ...labels })
      }
      samples.push({
        kind: 'gauge',
        name: 'meshwork_links',
        help: 'Peer links held',
        labels: { protocol: name },
        value: links.size,
      })
    }
    for (const [protocol, reasons] of Object.entries(this.rejectedFrames())) {
      for (const [reason, total] of Object.entries(reasons)) {
        counter('meshwork_rejected_frames_total', 'Frames dropped on receipt, by reason', total, {
          protocol,
          reason,
        })
      }
    }
    counter(
      'meshwork_admission_failures_total',
      'Connections refused by realm admission',
      this.options.admission.counters.failed,
    )
    counter(
      'meshwork_peers_disconnected_total',
      'Peers disconnected for misbehaviour',
      this.peersDisconnected,
    )
    samples.push({
      kind: 'gauge',
      name: 'meshwork_connections',
      help: 'Open connections, to members and others',
      value: this.host.getConnections().length,
    })
    samples.push({
      kind: 'gauge',
      name: 'meshwork_connection_limit',
      help: 'Connections libp2p allows now: the configured limit plus the peers the node deals with',
      value: this.options.limits.limit,
    })
    return samples
  }
}

function toPeerId(peer: string): PeerId | undefined {
  try {
    return peerIdFromString(peer)
  } catch {
    return undefined
  }
}

function advertisedAddresses(host: Libp2p): string[] {
  return host
    .getMultiaddrs()
    .map((address) => address.toString())
    .slice(0, MAX_ADVERTISED_ADDRESSES)
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i])
}

function shortId(peer: string): string {
  return peer.length > 16 ? `…${peer.slice(-8)}` : peer
}

function seconds(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`
}

/** Each per-protocol link counter as (metric, help, value, extra labels). */
function linkCounters(c: LinkCounters): [string, string, number, Record<string, string>][] {
  const frames = 'Frames sent (out) and received (in)'
  const bytes = 'Bytes of frames sent (out) and received (in)'
  const dropped = 'Frames not sent, by why'
  return [
    ['meshwork_messages_total', frames, c.framesIn, { direction: 'in' }],
    ['meshwork_messages_total', frames, c.framesOut, { direction: 'out' }],
    ['meshwork_bytes_total', bytes, c.bytesIn, { direction: 'in' }],
    ['meshwork_bytes_total', bytes, c.bytesOut, { direction: 'out' }],
    [
      'meshwork_transport_writes_total',
      'Transport writes (frames of one event-loop turn go together)',
      c.writes,
      {},
    ],
    ['meshwork_frames_dropped_total', dropped, c.framesDropped, { why: 'queue-full-or-backoff' }],
    ['meshwork_frames_dropped_total', dropped, c.framesRefused, { why: 'refused' }],
    ['meshwork_frames_dropped_total', dropped, c.framesToStrangers, { why: 'stranger' }],
    ['meshwork_dial_failures_total', 'Dials that failed or were not admitted', c.dialFailures, {}],
  ]
}
