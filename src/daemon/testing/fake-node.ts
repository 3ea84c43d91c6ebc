/**
 * A `RunningNode` made of plain data, for tests of the daemon, the API client and the CLI: no network,
 * no clock. Tests set its values, emit events by hand and read back what the API did to it.
 */
import type { MembersView, NodeEvent, NodeStatus } from '../../api/index.ts'
import { MeshError } from '../../kernel/index.ts'
import type {
  FaultSpec,
  JsonObject,
  JsonValue,
  MetricSample,
  RunningNode,
  StateService,
} from '../../node/index.ts'
import type { StateOp } from '../../protocols/replication/index.ts'

export const FAKE_PEER_ID = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
export const FAKE_OTHER_PEER_ID = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

export interface FakeNodeInit {
  /** Mirrors the engine: `applyFaults` throws `UNAVAILABLE` unless allowed at start. @default true */
  readonly allowFaultInjection?: boolean
}

export class FakeNode implements RunningNode {
  readonly peerId = FAKE_PEER_ID
  /** Every object reads as an empty set; writes are recorded in `stateWrites`. */
  readonly stateWrites: { name: string; op: StateOp }[] = []
  private readonly stateService: StateService = {
    create: () => {},
    apply: (name, op) => {
      this.stateWrites.push({ name, op })
    },
    read: () => ({ type: 'set', fingerprint: '0'.repeat(32), value: [] }),
  }
  statusValue: NodeStatus = {
    peerId: FAKE_PEER_ID,
    realm: 'default',
    state: 'running',
    members: { alive: 2, suspect: 0, failed: 1, left: 0 },
    addresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${FAKE_PEER_ID}`],
    incarnation: 3,
    localHealth: 0,
    uptimeMs: 65_000,
    version: '0.1.0',
  }
  membersValue: MembersView = {
    self: FAKE_PEER_ID,
    members: [
      {
        peerId: FAKE_PEER_ID,
        state: 'alive',
        incarnation: 3,
        addresses: ['/ip4/127.0.0.1/tcp/4001'],
        profile: {
          labels: ['gpu', 'linux'],
          capacity: 4,
          memoryMb: 8_192,
          connectionClass: 'lan',
          region: 'eu-west',
          hidden: false,
        },
      },
      {
        peerId: FAKE_OTHER_PEER_ID,
        state: 'alive',
        incarnation: 1,
        addresses: ['/ip4/127.0.0.1/tcp/4002'],
        profile: {
          labels: [],
          capacity: 1,
          memoryMb: 0,
          connectionClass: 'wan',
          region: '',
          hidden: false,
        },
        rttMs: 12.4,
      },
    ],
  }
  metricsValue: MetricSample[] = [
    {
      kind: 'counter',
      name: 'meshwork_messages_total',
      help: 'Frames',
      labels: { direction: 'in' },
      value: 10,
    },
    {
      kind: 'counter',
      name: 'meshwork_messages_total',
      help: 'Frames',
      labels: { direction: 'out' },
      value: 12,
    },
    {
      kind: 'counter',
      name: 'meshwork_rejected_frames_total',
      help: 'Frames dropped on receipt',
      labels: { reason: 'truncated' },
      value: 2,
    },
    { kind: 'gauge', name: 'meshwork_members', help: 'Members', labels: { state: 'alive' }, value: 2 },
    {
      kind: 'observations',
      name: 'meshwork_probe_rtt_seconds',
      help: 'Round trips',
      buckets: [0.001, 0.0025, 0.01],
      values: [0.0015, 0.003],
    },
  ]
  readonly appliedFaults: FaultSpec[] = []
  stopCalls = 0
  private readonly allowFaultInjection: boolean
  private readonly listeners = new Set<(event: JsonObject) => void>()

  constructor(init: FakeNodeInit = {}) {
    this.allowFaultInjection = init.allowFaultInjection ?? true
  }

  get subscriberCount(): number {
    return this.listeners.size
  }

  status(): NodeStatus {
    return this.statusValue
  }

  view(name: string): JsonValue | undefined {
    return name === 'members' ? this.membersValue : undefined
  }

  subscribe(listener: (event: JsonObject) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(event: NodeEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  metrics(): MetricSample[] {
    return this.metricsValue
  }

  replicatedState(): StateService {
    return this.stateService
  }

  applyFaults(faults: FaultSpec): void {
    if (!this.allowFaultInjection) throw new MeshError('UNAVAILABLE', 'fault injection is not allowed')
    this.appliedFaults.push(faults)
  }

  async stop(): Promise<void> {
    this.stopCalls += 1
  }
}
