/**
 * The shapes that cross the control API, as JSON, defined here and nowhere else: the daemon serves them,
 * the CLI and the typed client read them, and a browser dashboard can import this folder alone (it
 * depends on nothing but the kernel's plain constants). They describe what the node's modules contribute
 * — the membership module's counts, members and events today — as the API's contract; `schemas.ts` holds
 * the same shapes as JSON Schema, and `test/api.test.ts` serves a real node's values through both.
 *
 * They are type aliases rather than interfaces so that they are plain JSON to the compiler too (an
 * interface has no index signature, so a `NodeStatus` interface would not be a `JsonObject`).
 */
import type { ConnectionClass } from '../kernel/index.ts'

export type MemberState = 'alive' | 'suspect' | 'failed' | 'left'

/** What a node says about itself; carried in its membership record. */
export type MemberProfile = {
  readonly labels: readonly string[]
  /** Task slots this node offers. */
  readonly capacity: number
  readonly memoryMb: number
  readonly connectionClass: ConnectionClass
  readonly region: string
  /** Hidden nodes take part in membership but are not offered work or shown by default. */
  readonly hidden: boolean
}

/** `running`, `stopping`, or `partitioned` (membership reaches too small a share of the members). */
export type NodeState = 'running' | 'partitioned' | 'stopping'

export type NodeStatus = {
  readonly peerId: string
  readonly realm: string
  readonly state: NodeState
  readonly members: {
    readonly alive: number
    readonly suspect: number
    readonly failed: number
    readonly left: number
  }
  readonly addresses: readonly string[]
  readonly incarnation: number
  readonly localHealth: number
  readonly uptimeMs: number
  readonly version: string
}

export type MemberView = {
  readonly peerId: string
  readonly state: MemberState
  readonly incarnation: number
  readonly addresses: readonly string[]
  readonly profile: MemberProfile
  /** Smoothed probe round trip, when measured. */
  readonly rttMs?: number
}

export type MembersView = {
  readonly self: string
  readonly members: readonly MemberView[]
}

/** A member record as membership events carry it. */
export type MemberRecordJson = {
  readonly id: string
  readonly incarnation: number
  readonly state: MemberState
  readonly addresses: readonly string[]
  readonly profile: MemberProfile
}

type EventBase = {
  /** The module that emitted the event. */
  readonly protocol: 'membership'
  /** The node's clock, in ms. */
  readonly at: number
}

/** One event of the event stream (`GET /v1/events`). */
export type NodeEvent =
  | (EventBase & { readonly type: 'MemberJoined' | 'MemberUpdated'; readonly member: MemberRecordJson })
  | (EventBase & {
      readonly type: 'MemberSuspected'
      readonly id: string
      readonly incarnation: number
      readonly from: string
    })
  | (EventBase & {
      readonly type: 'MemberAlive' | 'MemberFailed' | 'MemberLeft'
      readonly id: string
      readonly incarnation: number
    })
  | (EventBase & {
      readonly type: 'PartitionDetected' | 'PartitionHealed'
      readonly reachable: number
      readonly known: number
    })

export type NodeEventType = NodeEvent['type']

export type LinkShape = {
  /** Shape only these links; every link when absent. */
  readonly peers?: readonly string[]
  /** Each peer's one-way delay is fixed, uniform in `[minDelayMs, maxDelayMs]`. */
  readonly minDelayMs: number
  readonly maxDelayMs: number
  readonly jitterMs: number
  readonly lossRate: number
  /** Bytes per second; 0 means unlimited. */
  readonly bandwidthBytesPerSecond: number
}

/** Drop traffic to and from peers (a partition), or shape links. Each call replaces the last. */
export type FaultSpec = {
  /** Peers whose traffic is dropped both ways; empty heals. */
  readonly dropPeers?: readonly string[]
  readonly link?: LinkShape
}

export type FaultsApplied = {
  readonly ok: true
}

export type StateType = 'set' | 'topN' | 'map' | 'counter'

export type StateCreate = { readonly type: StateType; readonly capacity?: number }

export type StateOperation =
  | { readonly op: 'add' | 'remove'; readonly value: string }
  | { readonly op: 'offer'; readonly id: string; readonly rank: number; readonly value?: unknown }
  | { readonly op: 'put'; readonly key: string; readonly value: unknown }
  | { readonly op: 'inc'; readonly key: string; readonly by: number }

export type StateOk = { readonly ok: true }

/** An object as `GET /v1/state/:name` shows it; converged replicas show the same fingerprint. */
export type StateReading = { readonly type: StateType; readonly fingerprint: string; readonly value: unknown }
