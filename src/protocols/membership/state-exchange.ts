/**
 * Full-state exchange (memberlist's push-pull, `state.go` `pushPullNode` / `mergeState`): on join through
 * seeds until one answers, periodically with a random member (an anti-entropy repair for whatever gossip
 * missed), and with a failed member that answered a reconnect knock (which heals partitions).
 *
 * Merging follows memberlist: a remote "failed" or "suspect" becomes a local suspicion, never an instant
 * failure, so a stale view cannot kill a live member; the member refutes. A push-pull carries as many
 * records as fit one frame.
 *
 * Departure: memberlist's `mergeState` re-broadcasts every record it merges (`aliveNode` queues each one
 * for gossip), including the seed's whole view that a joining node receives. That view is what the
 * cluster already knows, so re-broadcasting it made every joiner queue all n members for λ·log n sends
 * each: an O(n log n) backlog per node that was still draining long after the join, and that every
 * receiver had to look up and discard. Here the records of a join reply are merged quietly (the joiner
 * learns them, nobody is told again); only the joiner's own record is news, and the seeds spread it.
 * Periodic and reconnect exchanges still re-broadcast what they find, as memberlist does, because that is
 * anti-entropy repairing what gossip missed (Demers et al., "Epidemic Algorithms for Replicated Database
 * Maintenance", PODC 1987: anti-entropy as the backup that hands missed updates back to rumor mongering).
 *
 * Departure: the periodic exchange opens with a digest of the sender's view (`view-digest.ts`, a few bytes),
 * and the receiver starts the full push-pull only if its own view differs, as Dynamo (DeCandia et al.,
 * SOSP 2007) compares Merkle tree roots before it exchanges keys (here a tree of one level). memberlist
 * sends the full state every time: O(n) bytes per exchange, so O(n / log n) per node per second at its
 * scaled interval, most of it telling the partner what it already knows. Exchanges on join, on a
 * reconnect and with a stranger stay full, because there the views are known to differ. Views that
 * agree but hold a suspect still exchange in full, since merging a suspect record confirms the suspicion.
 */
import { DEFAULT_MAX_FRAME_BYTES, type Millis, type NodeId, type Random } from '../../kernel/index.ts'
import { encodedRecordBytes, rememberRecordListBytes } from './codec.ts'
import type { MembershipConfig } from './config.ts'
import type { MemberTable } from './member-table.ts'
import type { MemberRecord, MembershipMessage, MemberUpdate } from './types.ts'
import { addToDigest, recordDigest } from './view-digest.ts'

/** Seeds contacted per join attempt. */
const JOIN_FANOUT = 3
/** Frame header, flags and record count of a push-pull, generously (the exact figure is under 16). */
const PUSH_PULL_OVERHEAD_BYTES = 64
/**
 * After a join, the first periodic exchange comes this many gossip intervals later (times 1–2, spread),
 * not a whole interval later. A joiner learns the members before it from the seed's reply, but the
 * members who join just after it are announced by gossip that starts before most nodes know the joiner,
 * so some of those announcements miss it; one early exchange with a random member repairs that (LAN: 1–2 s).
 */
const JOIN_CATCH_UP_GOSSIP_INTERVALS = 20

/** What the exchange needs from the membership core that owns it. */
export interface StateExchangeHost {
  send(to: NodeId, message: MembershipMessage): void
  /** Merges `update`; with `announce` false the change is not gossiped on (a join reply, see above). */
  apply(update: MemberUpdate, now: Millis, announce: boolean): void
  suspect(id: NodeId, incarnation: number, from: NodeId, now: Millis): void
  /** This node's current record (it changes when the node refutes or leaves). */
  self(): MemberRecord
}

export class StateExchange {
  private readonly config: MembershipConfig
  private readonly table: MemberTable
  private readonly random: Random
  private readonly host: StateExchangeHost
  private seeds: NodeId[] = []
  joined = true
  nextJoinAt: Millis | undefined
  nextPushPullAt: Millis
  private lastPeriodicAt = Number.NEGATIVE_INFINITY
  pushPullsSent = 0
  digestsSent = 0
  /** Digests that matched our view, each an exchange not needed. */
  digestsMatched = 0

  constructor(
    parts: { config: MembershipConfig; table: MemberTable; random: Random; host: StateExchangeHost },
    now: Millis,
  ) {
    this.config = parts.config
    this.table = parts.table
    this.random = parts.random
    this.host = parts.host
    // spread the first exchanges so that nodes started together do not push-pull in lockstep
    this.nextPushPullAt = now + this.intervalMs() * (0.5 + this.random.float())
  }

  /** Joins through `seeds` (not ourselves), retried every `joinRetryMs` until one of them answers. */
  join(now: Millis, self: NodeId, seeds: readonly NodeId[]): void {
    this.seeds = seeds.filter((seed) => seed !== self)
    if (this.seeds.length === 0) return
    this.joined = false
    this.nextJoinAt = now
  }

  /** Retries the join when due (the core calls this first in its tick, leaving or not). */
  tickJoin(now: Millis): void {
    if (this.nextJoinAt !== undefined && now >= this.nextJoinAt) this.attemptJoin(now)
  }

  /**
   * When the next periodic exchange is due: on its own schedule, and while the view is quiet (from
   * `quietFrom`) at least every `quietAfterMs`. A quiet node probes only its ring successor, so the
   * round-robin probes no longer carry it to members that missed its join; a digest (one small message,
   * answered only when the views differ) finds and repairs such a view instead.
   */
  periodicDueAt(quietFrom: Millis): Millis {
    const audit = Math.max(quietFrom, this.lastPeriodicAt + this.config.quietAfterMs)
    return Math.min(this.nextPushPullAt, audit)
  }

  /** The periodic anti-entropy exchange, when due. */
  tickPeriodic(now: Millis, quietFrom: Millis): void {
    if (now >= this.periodicDueAt(quietFrom)) this.periodic(now)
  }

  /** A push-pull arrived: merge it; answer a request with our state, or count a reply as joined. */
  receive(now: Millis, from: NodeId, join: boolean, reply: boolean, records: readonly MemberRecord[]): void {
    // Every seed answers a join with its whole view; the first answer is the view, the others repeat it
    // (what the first lacked, the catch-up exchange brings), so only the first is merged.
    if (join && reply && this.joined) return
    // a seed's answer to our join is the cluster's current view, not news (see the header)
    const announce = !(join && reply)
    for (const record of records) this.merge(record, from, now, announce)
    if (!reply) this.send(from, join, true)
    else if (!this.joined) {
      this.joined = true
      this.nextJoinAt = undefined
      const catchUpMs = JOIN_CATCH_UP_GOSSIP_INTERVALS * this.config.gossipIntervalMs
      this.nextPushPullAt = Math.min(this.nextPushPullAt, now + catchUpMs * (1 + this.random.float()))
    }
  }

  /**
   * A partner's view digest: unless the full exchange would change nothing, start it (the partner answers
   * in kind). It would change nothing when the views are the same and hold no suspect: merging a suspect
   * record counts its sender as one more confirmation of the suspicion (memberlist's `mergeState` does the
   * same), which equal views still give each other.
   */
  receiveDigest(from: NodeId, digest: number, members: number): void {
    const same = digest === this.digest() && members === this.table.size + 1
    if (same && this.table.counts.suspect === 0) {
      this.digestsMatched++
      return
    }
    this.send(from, false)
  }

  /** Sends our full state to `to`; a reply carries the same, a request asks for theirs. */
  send(to: NodeId, join: boolean, reply = false): void {
    this.pushPullsSent++
    this.host.send(to, { type: 'push-pull', join, reply, records: this.snapshot() })
  }

  private attemptJoin(now: Millis): void {
    if (this.joined) {
      this.nextJoinAt = undefined
      return
    }
    for (const seed of this.random.sample(this.seeds, JOIN_FANOUT)) {
      this.pushPullsSent++
      this.host.send(seed, { type: 'push-pull', join: true, reply: false, records: [this.host.self()] })
    }
    this.nextJoinAt = now + this.config.joinRetryMs
  }

  private periodic(now: Millis): void {
    this.lastPeriodicAt = now
    this.nextPushPullAt = now + this.intervalMs() * (0.75 + 0.5 * this.random.float())
    const [partner] = this.table.sample(this.random, 1, (member) => member.record.state === 'alive')
    if (partner === undefined) return
    this.digestsSent++
    const members = this.table.size + 1
    this.host.send(partner.record.id, { type: 'state-digest', digest: this.digest(), members })
  }

  /** The digest of our view: the table's, and our own record. */
  private digest(): number {
    return addToDigest(this.table.digest, recordDigest(this.host.self()))
  }

  /** memberlist `mergeState`: a remote "failed" becomes a local suspicion, never an instant failure. */
  private merge(record: MemberRecord, from: NodeId, now: Millis, announce: boolean): void {
    switch (record.state) {
      case 'alive':
        this.host.apply({ kind: 'alive', record }, now, announce)
        return
      case 'suspect':
      case 'failed':
        this.host.suspect(record.id, record.incarnation, from, now)
        return
      case 'left':
        this.host.apply({ kind: 'left', id: record.id, incarnation: record.incarnation }, now, announce)
        return
    }
  }

  /** memberlist `pushPullScale`: above 32 members the interval grows with log2(n / 32). */
  private intervalMs(): number {
    const n = this.table.size + 1
    const scale = n <= 32 ? 1 : Math.ceil(Math.log2(n) - Math.log2(32)) + 1
    return this.config.pushPullIntervalMs * scale
  }

  /**
   * Our state for a push-pull, cut to what fits one frame. The table's order is reshuffled on every probe
   * pass, so when the cut bites, each push-pull carries a different, random share of the members.
   */
  private snapshot(): MemberRecord[] {
    const self = this.host.self()
    const selfBytes = encodedRecordBytes(self)
    const held = this.table.records()
    // the usual case, the whole table fits: copy the record list, sizes known from the table's sum
    if (PUSH_PULL_OVERHEAD_BYTES + selfBytes + this.table.recordBytes <= DEFAULT_MAX_FRAME_BYTES) {
      const records = [self].concat(held)
      rememberRecordListBytes(records, selfBytes + this.table.recordBytes)
      return records
    }
    const records: MemberRecord[] = [self]
    let bytes = PUSH_PULL_OVERHEAD_BYTES + selfBytes
    for (const record of held) {
      bytes += encodedRecordBytes(record)
      if (bytes > DEFAULT_MAX_FRAME_BYTES) break
      records.push(record)
    }
    return records
  }
}
