/**
 * Realm admission: before any Meshwork protocol is served on a connection, both ends prove they hold the
 * realm's key, in a mutual challenge–response bound to both peer ids.
 *
 * Why our own handshake: libp2p's private-network protector (pnet) covers TCP but not QUIC, and a realm
 * without a pre-shared key still needs namespacing. The realm key is HMAC(psk, realm) with a pre-shared
 * key, or SHA-256 of the realm name without one (namespacing only, no secrecy).
 *
 *   initiator (dialled)                      responder
 *     nonceI ─────────────────────────────►
 *            ◄──────────── nonceR, HMAC(K, "responder" ‖ idI ‖ idR ‖ nonceI ‖ nonceR)
 *     HMAC(K, "initiator" ‖ idI ‖ idR ‖ nonceI ‖ nonceR) ─►
 *
 * Fresh nonces on both sides defeat replay; binding both peer ids (already authenticated by Noise or
 * QUIC's TLS) stops a proof from one connection being reflected into another. A failed or stalled
 * handshake closes the connection and is counted. A peer that does not speak the admission protocol at
 * all (a public DHT server or relay) keeps its connection for those services, but is never served a
 * Meshwork protocol.
 *
 * The handshake runs on relayed (limited) connections too: a node behind NAT reaches the realm only
 * through a circuit relay until hole punching succeeds, so admission and every Meshwork protocol must work
 * there. Which peers hold an admitted connection is tracked, so the engine can tell a member or an
 * admitted newcomer from a stranger before it keeps any state for it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Connection, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { FrameReader, lengthPrefixed } from './framing.ts'

export const ADMISSION_PROTOCOL = '/meshwork/admission/1'
const NONCE_BYTES = 32
const PROOF_BYTES = 32
const MAX_ADMISSION_FRAME_BYTES = 128
const DOMAIN = 'meshwork/admission/1'

export function realmKey(realm: string, preSharedKey?: Uint8Array): Uint8Array {
  if (preSharedKey !== undefined)
    return createHmac('sha256', preSharedKey).update(`${DOMAIN}/realm/${realm}`).digest()
  return createHash('sha256').update(`${DOMAIN}/open-realm/${realm}`).digest()
}

export function admissionProof(
  key: Uint8Array,
  role: 'initiator' | 'responder',
  initiator: string,
  responder: string,
  nonceI: Uint8Array,
  nonceR: Uint8Array,
): Uint8Array {
  const hmac = createHmac('sha256', key)
  for (const part of [DOMAIN, role, initiator, responder]) hmac.update(`${part.length}:${part}`)
  hmac.update(nonceI)
  hmac.update(nonceR)
  return hmac.digest()
}

function sameProof(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && timingSafeEqual(a, b)
}

/** Why a handshake failed: a wrong proof or message (a different key), no answer in time. */
export type AdmissionFailure = 'refused' | 'stalled'

export interface AdmissionEvents {
  /** A handshake failed and its connection was closed. */
  readonly onFailure?: (peer: string, direction: 'inbound' | 'outbound', why: AdmissionFailure) => void
}

export interface AdmissionCounters {
  admitted: number
  /** Handshakes that failed (wrong key, bad proof, stalled): the connection was closed. */
  failed: number
  /** Connections to peers that do not speak the admission protocol: kept, but never admitted. */
  foreign: number
}

/** How a handshake ended: proven, refused (close the connection), or not attempted by a non-Meshwork peer. */
type Verdict = 'admitted' | 'refused' | 'foreign'

/** Runs the handshake on every new connection and tells others which connections are admitted. */
interface Outcome {
  readonly promise: Promise<boolean>
  resolve(ok: boolean): void
  settled: boolean
}

export class Admission {
  private readonly host: Libp2p
  private readonly key: Uint8Array
  private readonly timeoutMs: number
  /** Per connection id: the handshake's outcome, created by whichever side asks first. */
  private readonly outcomes = new Map<string, Outcome>()
  /** Open admitted connections per peer. */
  private readonly admittedPeers = new Map<string, number>()
  /** Connections admitted, so that closing one releases its peer's count once. */
  private readonly admittedConnections = new Set<string>()
  private readonly events: AdmissionEvents
  readonly counters: AdmissionCounters = { admitted: 0, failed: 0, foreign: 0 }

  constructor(host: Libp2p, key: Uint8Array, timeoutMs: number, events: AdmissionEvents = {}) {
    this.host = host
    this.key = key
    this.timeoutMs = timeoutMs
    this.events = events
  }

  /** Whether `peer` holds at least one open connection that passed admission. */
  isAdmitted(peer: string): boolean {
    return this.admittedPeers.has(peer)
  }

  async start(): Promise<void> {
    await this.host.handle(
      ADMISSION_PROTOCOL,
      (stream, connection) => {
        this.settle(connection, this.respond(stream, connection))
      },
      { runOnLimitedConnection: true },
    )
    this.host.addEventListener('connection:open', (event) => {
      const connection = event.detail
      // the dialling side starts the handshake; the other side waits for it (see `wait`)
      if (connection.direction === 'outbound') this.settle(connection, this.initiate(connection))
    })
    this.host.addEventListener('connection:close', (event) => {
      const connection = event.detail
      this.outcome(connection).resolve(false)
      this.outcomes.delete(connection.id)
      if (this.admittedConnections.delete(connection.id)) {
        const peer = connection.remotePeer.toString()
        const count = (this.admittedPeers.get(peer) ?? 1) - 1
        if (count > 0) this.admittedPeers.set(peer, count)
        else this.admittedPeers.delete(peer)
      }
    })
  }

  async stop(): Promise<void> {
    await this.host.unhandle(ADMISSION_PROTOCOL)
  }

  /**
   * Resolves true once `connection` is admitted, false if its handshake failed, or never started within
   * the timeout (a peer that dials us but will not prove the realm key).
   */
  wait(connection: Connection): Promise<boolean> {
    const outcome = this.outcome(connection)
    if (!outcome.settled) {
      setTimeout(() => {
        if (outcome.settled) return
        // nobody started a handshake on this connection: a peer that is not a Meshwork node
        this.counters.foreign++
        outcome.resolve(false)
      }, this.timeoutMs).unref()
    }
    return outcome.promise
  }

  private outcome(connection: Connection): Outcome {
    let outcome = this.outcomes.get(connection.id)
    if (outcome === undefined) {
      let resolve: (ok: boolean) => void = () => {}
      const promise = new Promise<boolean>((r) => {
        resolve = r
      })
      const created: Outcome = {
        promise,
        settled: false,
        resolve: (ok) => {
          if (created.settled) return
          created.settled = true
          resolve(ok)
        },
      }
      outcome = created
      this.outcomes.set(connection.id, outcome)
    }
    return outcome
  }

  private settle(connection: Connection, handshake: Promise<Verdict>): void {
    const outcome = this.outcome(connection)
    const timer = setTimeout(() => this.fail(connection, outcome, 'stalled'), this.timeoutMs)
    timer.unref()
    void handshake
      .catch((): Verdict => 'refused')
      .then((verdict) => {
        clearTimeout(timer)
        if (outcome.settled) return
        if (verdict === 'refused') {
          this.fail(connection, outcome, 'refused')
          return
        }
        if (verdict === 'foreign') this.counters.foreign++
        else this.admit(connection)
        outcome.resolve(verdict === 'admitted')
      })
  }

  private admit(connection: Connection): void {
    this.counters.admitted++
    if (connection.status !== 'open' || this.admittedConnections.has(connection.id)) return
    this.admittedConnections.add(connection.id)
    const peer = connection.remotePeer.toString()
    this.admittedPeers.set(peer, (this.admittedPeers.get(peer) ?? 0) + 1)
  }

  private fail(connection: Connection, outcome: Outcome, why: AdmissionFailure): void {
    if (outcome.settled) return
    this.counters.failed++
    outcome.resolve(false)
    this.events.onFailure?.(connection.remotePeer.toString(), connection.direction, why)
    void connection.close().catch(() => {})
  }

  private async initiate(connection: Connection): Promise<Verdict> {
    let stream: Stream
    try {
      stream = await connection.newStream(ADMISSION_PROTOCOL, {
        signal: AbortSignal.timeout(this.timeoutMs),
        runOnLimitedConnection: true,
      })
    } catch {
      return 'foreign'
    }
    const frames = readFrames(stream)
    const nonceI = randomBytes(NONCE_BYTES)
    stream.send(lengthPrefixed(nonceI))
    const reply = await frames.next()
    if (reply === undefined || reply.length !== NONCE_BYTES + PROOF_BYTES) return 'refused'
    const nonceR = reply.subarray(0, NONCE_BYTES)
    const me = this.host.peerId.toString()
    const them = connection.remotePeer.toString()
    const expected = admissionProof(this.key, 'responder', me, them, nonceI, nonceR)
    if (!sameProof(reply.subarray(NONCE_BYTES), expected)) return 'refused'
    stream.send(lengthPrefixed(admissionProof(this.key, 'initiator', me, them, nonceI, nonceR)))
    await stream.close().catch(() => {})
    return 'admitted'
  }

  private async respond(stream: Stream, connection: Connection): Promise<Verdict> {
    const frames = readFrames(stream)
    const nonceI = await frames.next()
    if (nonceI === undefined || nonceI.length !== NONCE_BYTES) return 'refused'
    const nonceR = randomBytes(NONCE_BYTES)
    const me = this.host.peerId.toString()
    const them = connection.remotePeer.toString()
    const proofR = admissionProof(this.key, 'responder', them, me, nonceI, nonceR)
    const reply = new Uint8Array(NONCE_BYTES + PROOF_BYTES)
    reply.set(nonceR, 0)
    reply.set(proofR, NONCE_BYTES)
    stream.send(lengthPrefixed(reply))
    const proofI = await frames.next()
    const ok = sameProof(proofI, admissionProof(this.key, 'initiator', them, me, nonceI, nonceR))
    await stream.close().catch(() => {})
    return ok ? 'admitted' : 'refused'
  }
}

/** Frames of a short handshake stream, one `next()` at a time; undefined when the stream ends or errs. */
function readFrames(stream: Stream): { next(): Promise<Uint8Array | undefined> } {
  const reader = new FrameReader(MAX_ADMISSION_FRAME_BYTES)
  const ready: Uint8Array[] = []
  let waiting: ((frame: Uint8Array | undefined) => void) | undefined
  let ended = false
  const deliver = (frame: Uint8Array | undefined): void => {
    const resolve = waiting
    waiting = undefined
    resolve?.(frame)
  }
  stream.addEventListener('message', (event) => {
    for (const read of reader.push(event.data.subarray())) {
      if (!read.ok) {
        ended = true
        deliver(undefined)
        return
      }
      if (waiting !== undefined) deliver(read.frame)
      else ready.push(read.frame)
    }
  })
  stream.addEventListener('close', () => {
    ended = true
    deliver(undefined)
  })
  return {
    next: () => {
      const frame = ready.shift()
      if (frame !== undefined || ended) return Promise.resolve(frame)
      return new Promise((resolve) => {
        waiting = resolve
      })
    },
  }
}
