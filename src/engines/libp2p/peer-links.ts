/**
 * One long-lived outbound stream per peer for one Meshwork protocol, carrying length-prefixed frames.
 *
 * Sending never blocks the caller and never grows without bound. Frames wait in a small per-peer queue
 * while the stream opens or while the transport asks us to wait (`send()` returned false, as libp2p 3
 * signals backpressure; we resume on `drain`). What happens when that queue is full is the protocol's
 * delivery policy (`protocols/module.ts`): drop the oldest frame, or refuse the new one and tell the
 * sender. Frames queued in one turn of the event loop leave together in one `send`, so a probe's frames
 * cost one transport write (one Noise message, usually one TCP segment) instead of one each.
 *
 * Links exist only for peers the node deals with: members, or peers whose connection passed realm
 * admission (`mayLink`). A frame for anyone else — a made-up id in a ping-req, say — is dropped and
 * counted before any per-peer state is made, and the number of links is bounded besides.
 *
 * Inbound streams are read with `FrameReader` once their connection is admitted; a stream that announces
 * an oversized frame is aborted. Frames go to `onFrame` with the remote peer id.
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import type { DeliveryPolicy } from '../../protocols/index.ts'
import type { DialBackoff } from './dial-backoff.ts'
import { type FrameReadError, FrameReader, lengthPrefixed } from './framing.ts'
import type { LinkShaper } from './link-shaper.ts'

export interface PeerLinksOptions {
  readonly protocol: string
  readonly delivery: DeliveryPolicy
  readonly maxFrameBytes: number
  /** Links kept at most (a bound on top of `mayLink`); beyond it new peers' frames are dropped. */
  readonly maxLinks: number
  readonly dialTimeoutMs: number
  /** Whether the node may hold a link to `peer`: a member, or an admitted connection. */
  readonly mayLink: (peer: string) => boolean
  /** Resolves a peer id string (from a membership record) to a PeerId the dialer accepts. */
  readonly toPeerId: (peer: string) => PeerId | undefined
  readonly onFrame: (peer: string, frame: Uint8Array) => void
  readonly onStreamError: (peer: string, error: FrameReadError) => void
  /** A stream to `peer` (and a connection, if none is open) is being opened for waiting frames. */
  readonly onOpening?: (peer: string) => void
  /** A frame the delivery policy refused (queue full under `refuse` or `backpressure`, or dial backoff). */
  readonly onRefused: (peer: string, frame: Uint8Array) => void
  /** Resolves true once the connection passed realm admission; nothing is served before that. */
  readonly admit: (connection: Connection) => Promise<boolean>
  /** Shared across protocols: a peer we failed to reach is retried later, not at every frame. */
  readonly backoff: DialBackoff
  /** Fault injection: delays, drops and throttles outgoing frames. */
  readonly shaper: LinkShaper
}

interface Link {
  stream: Stream | undefined
  opening: boolean
  waitingForDrain: boolean
  flushScheduled: boolean
  readonly queue: Uint8Array[]
  queuedBytes: number
}

export interface LinkCounters {
  framesOut: number
  bytesOut: number
  framesIn: number
  bytesIn: number
  /** Transport writes; each carries every frame queued in one turn of the event loop. */
  writes: number
  /** Frames dropped at a full queue (drop-oldest) or because the peer's dial is backing off. */
  framesDropped: number
  /** Frames refused to the sender (refuse or backpressure policy). */
  framesRefused: number
  /** Frames for peers the node does not deal with: no link was made for them. */
  framesToStrangers: number
  /** Peers refused a link because `maxLinks` were in use. */
  linksRefused: number
  dialFailures: number
  /** Inbound streams refused because their connection never passed admission. */
  unadmittedStreams: number
}

/** Frames coalesced into one transport write stay under yamux's 64 KiB message size. */
const MAX_WRITE_BYTES = 60 * 1024

export class PeerLinks {
  private readonly node: Libp2p
  private readonly options: PeerLinksOptions
  private readonly links = new Map<string, Link>()
  readonly counters: LinkCounters = {
    framesOut: 0,
    bytesOut: 0,
    framesIn: 0,
    bytesIn: 0,
    writes: 0,
    framesDropped: 0,
    framesRefused: 0,
    framesToStrangers: 0,
    linksRefused: 0,
    dialFailures: 0,
    unadmittedStreams: 0,
  }

  constructor(node: Libp2p, options: PeerLinksOptions) {
    this.node = node
    this.options = options
  }

  /** Links currently held. */
  get size(): number {
    return this.links.size
  }

  async start(): Promise<void> {
    await this.node.handle(this.options.protocol, (stream, connection) => this.accept(stream, connection), {
      maxInboundStreams: 4,
      maxOutboundStreams: 4,
      // relayed connections must carry Meshwork protocols, or nodes behind NAT could never take part
      runOnLimitedConnection: true,
    })
  }

  async stop(): Promise<void> {
    for (const link of this.links.values()) link.stream?.abort(new Error('stopping'))
    this.links.clear()
    await this.node.unhandle(this.options.protocol)
  }

  /** Queues a frame for `peer` and opens the stream if needed. Never throws, never blocks. */
  send(peer: string, frame: Uint8Array): void {
    const shaper = this.options.shaper
    if (shaper.active) {
      const decision = shaper.decide(peer, frame.length, performance.now())
      if (decision.drop) return
      if (decision.delayMs > 0) {
        setTimeout(() => this.enqueue(peer, frame), decision.delayMs).unref()
        return
      }
    }
    this.enqueue(peer, frame)
  }

  /** What the link to `peer` is doing (diagnostics and tests). */
  linkState(peer: string): { open: boolean; waitingForDrain: boolean; queued: number } | undefined {
    const link = this.links.get(peer)
    if (link === undefined) return undefined
    return {
      open: link.stream !== undefined,
      waitingForDrain: link.waitingForDrain,
      queued: link.queue.length,
    }
  }

  /** Forgets a peer's stream (it disconnected); the next send opens a new one. */
  forget(peer: string): void {
    const link = this.links.get(peer)
    if (link === undefined) return
    link.stream?.abort(new Error('peer forgotten'))
    this.links.delete(peer)
  }

  private enqueue(peer: string, frame: Uint8Array): void {
    const link = this.link(peer)
    if (link === undefined) return
    if (link.stream === undefined && !link.opening && this.options.backoff.waiting(peer)) {
      this.reject(peer, frame, 'dropped')
      return
    }
    const bytes = lengthPrefixed(frame)
    if (!this.admitToQueue(peer, link, frame, bytes)) return
    if (link.stream === undefined) {
      if (!link.opening) void this.open(peer, link)
      return
    }
    this.scheduleFlush(peer, link)
  }

  /** The link to `peer`, made if the node may hold one; undefined (and counted) otherwise. */
  private link(peer: string): Link | undefined {
    const existing = this.links.get(peer)
    if (existing !== undefined) return existing
    if (!this.options.mayLink(peer)) {
      this.counters.framesToStrangers++
      return undefined
    }
    if (this.links.size >= this.options.maxLinks) {
      this.counters.linksRefused++
      return undefined
    }
    const link: Link = {
      stream: undefined,
      opening: false,
      waitingForDrain: false,
      flushScheduled: false,
      queue: [],
      queuedBytes: 0,
    }
    this.links.set(peer, link)
    return link
  }

  /** Applies the delivery policy to a frame for a link; false when the frame does not go in. */
  private admitToQueue(peer: string, link: Link, frame: Uint8Array, bytes: Uint8Array): boolean {
    const policy = this.options.delivery
    switch (policy.kind) {
      case 'drop-oldest':
        if (link.queue.length >= policy.maxQueuedFrames) {
          const oldest = link.queue.shift() as Uint8Array
          link.queuedBytes -= oldest.length
          this.counters.framesDropped++
        }
        break
      case 'refuse':
        if (link.queue.length >= policy.maxQueuedFrames) {
          this.reject(peer, frame, 'refused')
          return false
        }
        break
      case 'backpressure':
        if (link.queuedBytes + bytes.length > policy.maxQueuedBytes && link.queue.length > 0) {
          this.reject(peer, frame, 'refused')
          return false
        }
        break
    }
    link.queue.push(bytes)
    link.queuedBytes += bytes.length
    return true
  }

  /** A frame that will not be sent: dropped quietly, or refused to the sender (per the policy). */
  private reject(peer: string, frame: Uint8Array, why: 'dropped' | 'refused'): void {
    if (why === 'dropped' && this.options.delivery.kind === 'drop-oldest') {
      this.counters.framesDropped++
      return
    }
    this.counters.framesRefused++
    this.options.onRefused(peer, frame)
  }

  private async open(peer: string, link: Link): Promise<void> {
    const peerId = this.options.toPeerId(peer)
    if (peerId === undefined) {
      this.discard(peer, link)
      return
    }
    link.opening = true
    // even over an open connection, a new stream costs a protocol negotiation and waits for admission
    this.options.onOpening?.(peer)
    try {
      const signal = AbortSignal.timeout(this.options.dialTimeoutMs)
      const connection = await this.node.dial(peerId, { signal })
      if (!(await this.options.admit(connection))) throw new AdmissionRefused()
      const stream = await connection.newStream(this.options.protocol, {
        signal,
        runOnLimitedConnection: true,
      })
      if (this.links.get(peer) !== link) {
        stream.abort(new Error('link replaced'))
        return
      }
      this.options.backoff.succeeded(peer)
      this.attach(peer, link, stream)
    } catch (error) {
      this.counters.dialFailures++
      this.options.backoff.failed(peer, error instanceof AdmissionRefused ? 'admission' : 'dial')
      this.discard(peer, link)
    } finally {
      link.opening = false
    }
  }

  private attach(peer: string, link: Link, stream: Stream): void {
    link.stream = stream
    // a new stream starts writable, whatever the last one was waiting for
    link.waitingForDrain = false
    stream.addEventListener('close', () => {
      if (link.stream !== stream) return
      // a stream reset while we waited for its drain must not leave the link waiting forever: the next
      // frame opens a new stream, which starts writable
      link.stream = undefined
      link.waitingForDrain = false
    })
    stream.addEventListener('drain', () => {
      if (link.stream !== stream) return
      link.waitingForDrain = false
      this.flush(peer, link)
    })
    // the remote only reads on this stream; anything it writes back is ignored
    stream.addEventListener('message', () => {})
    this.flush(peer, link)
  }

  /** Drops what a link holds (its dial failed or its peer cannot be named); under `refuse`, tells the sender. */
  private discard(peer: string, link: Link): void {
    const queued = link.queue.splice(0)
    link.queuedBytes = 0
    if (this.options.delivery.kind === 'drop-oldest') this.counters.framesDropped += queued.length
    else for (const bytes of queued) this.reject(peer, unprefixed(bytes), 'refused')
  }

  private scheduleFlush(peer: string, link: Link): void {
    if (link.flushScheduled) return
    link.flushScheduled = true
    queueMicrotask(() => {
      link.flushScheduled = false
      this.flush(peer, link)
    })
  }

  private flush(peer: string, link: Link): void {
    const stream = link.stream
    if (stream === undefined || link.waitingForDrain) return
    if (stream.status !== 'open' || stream.writeStatus !== 'writable') {
      this.reopen(peer, link)
      return
    }
    while (link.queue.length > 0) {
      const { write, frames } = this.takeWrite(link)
      this.counters.writes++
      let accepted: boolean
      try {
        accepted = stream.send(write)
      } catch {
        // closed under us between the check and the write (its connection closing, say): the write goes
        // back to the front of the queue for a new stream, and the node does not crash
        this.putBack(link, frames, write.length)
        this.reopen(peer, link)
        return
      }
      if (!accepted) {
        link.waitingForDrain = true
        return
      }
    }
  }

  /** Forgets a stream that can no longer be written, and opens another if frames wait. */
  private reopen(peer: string, link: Link): void {
    link.stream = undefined
    link.waitingForDrain = false
    if (link.queue.length > 0 && !link.opening) void this.open(peer, link)
  }

  /** Returns the frames of a write that did not leave to the front of the queue, uncounted. */
  private putBack(link: Link, frames: readonly Uint8Array[], bytes: number): void {
    link.queue.unshift(...frames)
    link.queuedBytes += bytes
    this.counters.writes--
    this.counters.framesOut -= frames.length
    this.counters.bytesOut -= bytes
  }

  /** Queued frames, oldest first, joined into one buffer of at most `MAX_WRITE_BYTES` (or one frame). */
  private takeWrite(link: Link): { write: Uint8Array; frames: Uint8Array[] } {
    let count = 0
    let bytes = 0
    while (count < link.queue.length) {
      const next = (link.queue[count] as Uint8Array).length
      if (count > 0 && bytes + next > MAX_WRITE_BYTES) break
      bytes += next
      count++
    }
    const frames = link.queue.splice(0, count)
    link.queuedBytes -= bytes
    this.counters.framesOut += count
    this.counters.bytesOut += bytes
    if (count === 1) return { write: frames[0] as Uint8Array, frames }
    const write = new Uint8Array(bytes)
    let offset = 0
    for (const frame of frames) {
      write.set(frame, offset)
      offset += frame.length
    }
    return { write, frames }
  }

  private accept(stream: Stream, connection: Connection): void {
    // hold incoming data until the connection is admitted; a stream that never is gets reset
    stream.pause()
    void this.options.admit(connection).then((admitted) => {
      if (!admitted) {
        this.counters.unadmittedStreams++
        stream.abort(new Error('meshwork: connection not admitted to the realm'))
        return
      }
      this.read(stream, connection.remotePeer.toString())
      stream.resume()
    })
  }

  private read(stream: Stream, peer: string): void {
    const reader = new FrameReader(this.options.maxFrameBytes)
    stream.addEventListener('message', (event) => {
      const chunk = event.data.subarray()
      this.counters.bytesIn += chunk.length
      for (const read of reader.push(chunk)) {
        if (read.ok) {
          this.counters.framesIn++
          this.options.onFrame(peer, read.frame)
        } else {
          this.options.onStreamError(peer, read.error)
          stream.abort(new Error(`meshwork: ${read.error} frame`))
        }
      }
    })
  }
}

class AdmissionRefused extends Error {
  constructor() {
    super('not admitted to the realm')
  }
}

/** The frame inside a length-prefixed buffer (for telling a sender which frame was refused). */
function unprefixed(bytes: Uint8Array): Uint8Array {
  let at = 0
  while (at < bytes.length && (bytes[at] as number) >= 0x80) at++
  return bytes.subarray(at + 1)
}
