/**
 * One long-lived outbound stream per peer for one Meshwork protocol, carrying length-prefixed frames.
 *
 * Sending never blocks the caller and never grows without bound: frames wait in a small per-peer queue
 * while the stream is being opened or while the transport asks us to wait (`send()` returned false, as
 * libp2p 3 signals backpressure; we resume on `drain`). A full queue drops its oldest frame and counts it:
 * membership traffic is periodic and idempotent, so a fresh frame is worth more than a stale one.
 *
 * Inbound streams are read with `FrameReader`; a stream that announces an oversized frame is aborted.
 * Frames go to `onFrame` with the remote peer id; what they contain is the caller's business.
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { BoundedQueue } from '../../kernel/index.ts'
import { type FrameReadError, FrameReader, lengthPrefixed } from './framing.ts'
import type { LinkShaper } from './link-shaper.ts'

export interface PeerLinksOptions {
  readonly protocol: string
  readonly maxFrameBytes: number
  /** Frames held per peer while its stream opens or drains. */
  readonly maxQueuedFrames: number
  /** After a failed dial, frames to that peer are dropped for this long instead of redialling at once. */
  readonly dialBackoffMs: number
  readonly dialTimeoutMs: number
  /** Resolves a peer id string (from a membership record) to a PeerId the dialer accepts. */
  readonly toPeerId: (peer: string) => PeerId | undefined
  readonly onFrame: (peer: string, frame: Uint8Array) => void
  readonly onStreamError: (peer: string, error: FrameReadError) => void
  /** Resolves true once the connection passed realm admission; nothing is served before that. */
  readonly admit: (connection: Connection) => Promise<boolean>
  /** Fault injection: delays, drops and throttles outgoing frames. */
  readonly shaper: LinkShaper
}

interface Link {
  stream: Stream | undefined
  opening: boolean
  waitingForDrain: boolean
  readonly queue: BoundedQueue<Uint8Array>
  retryAfter: number
}

export interface LinkCounters {
  framesOut: number
  bytesOut: number
  framesIn: number
  bytesIn: number
  /** Frames dropped because a peer's queue was full or its dial failed. */
  framesDropped: number
  dialFailures: number
  /** Inbound streams refused because their connection never passed admission. */
  unadmittedStreams: number
}

export class PeerLinks {
  private readonly node: Libp2p
  private readonly options: PeerLinksOptions
  private readonly links = new Map<string, Link>()
  readonly counters: LinkCounters = {
    framesOut: 0,
    bytesOut: 0,
    framesIn: 0,
    bytesIn: 0,
    framesDropped: 0,
    dialFailures: 0,
    unadmittedStreams: 0,
  }

  constructor(node: Libp2p, options: PeerLinksOptions) {
    this.node = node
    this.options = options
  }

  async start(): Promise<void> {
    await this.node.handle(this.options.protocol, (stream, connection) => this.accept(stream, connection), {
      maxInboundStreams: 4,
      maxOutboundStreams: 4,
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

  private enqueue(peer: string, frame: Uint8Array): void {
    let link = this.links.get(peer)
    if (link === undefined) {
      link = {
        stream: undefined,
        opening: false,
        waitingForDrain: false,
        queue: new BoundedQueue(this.options.maxQueuedFrames),
        retryAfter: 0,
      }
      this.links.set(peer, link)
    }
    if (link.stream === undefined && !link.opening && Date.now() < link.retryAfter) {
      this.counters.framesDropped++
      return
    }
    const dropped = link.queue.dropped
    link.queue.push(lengthPrefixed(frame))
    this.counters.framesDropped += link.queue.dropped - dropped
    if (link.stream === undefined) {
      if (!link.opening) void this.open(peer, link)
      return
    }
    this.flush(peer, link)
  }

  /** Forgets a peer's stream (it disconnected); the next send opens a new one. */
  forget(peer: string): void {
    const link = this.links.get(peer)
    if (link === undefined) return
    link.stream?.abort(new Error('peer forgotten'))
    this.links.delete(peer)
  }

  private async open(peer: string, link: Link): Promise<void> {
    const peerId = this.options.toPeerId(peer)
    if (peerId === undefined) {
      this.counters.framesDropped += link.queue.drain().length
      return
    }
    link.opening = true
    try {
      const signal = AbortSignal.timeout(this.options.dialTimeoutMs)
      const connection = await this.node.dial(peerId, { signal })
      if (!(await this.options.admit(connection))) throw new Error('not admitted')
      const stream = await connection.newStream(this.options.protocol, { signal })
      if (this.links.get(peer) !== link) {
        stream.abort(new Error('link replaced'))
        return
      }
      link.stream = stream
      stream.addEventListener('close', () => {
        if (link.stream === stream) link.stream = undefined
      })
      stream.addEventListener('drain', () => {
        link.waitingForDrain = false
        this.flush(peer, link)
      })
      // the remote only reads on this stream; anything it writes back is ignored
      stream.addEventListener('message', () => {})
      this.flush(peer, link)
    } catch {
      this.counters.dialFailures++
      this.counters.framesDropped += link.queue.drain().length
      link.retryAfter = Date.now() + this.options.dialBackoffMs
    } finally {
      link.opening = false
    }
  }

  private flush(peer: string, link: Link): void {
    const stream = link.stream
    if (stream === undefined || link.waitingForDrain) return
    if (stream.status !== 'open') {
      link.stream = undefined
      if (link.queue.length > 0 && !link.opening) void this.open(peer, link)
      return
    }
    for (let bytes = link.queue.shift(); bytes !== undefined; bytes = link.queue.shift()) {
      this.counters.framesOut++
      this.counters.bytesOut += bytes.length
      if (!stream.send(bytes)) {
        link.waitingForDrain = true
        return
      }
    }
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
