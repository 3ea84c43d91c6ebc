/**
 * One connection per pair of peers. When two members first need each other at the same moment (both
 * probe the newcomer, the newcomer probes both), each dials and libp2p keeps both connections: in a
 * 10-node cluster a node held 14 to 17 connections for 9 peers. Each one costs a Noise handshake, memory
 * (about half a megabyte resident) and packets, since each side's frames then travel on its own
 * connection and every segment is acknowledged alone instead of riding on the reply.
 *
 * The rule needs no coordination: the connection dialled by the peer with the smaller id is the one to
 * keep, and each side closes only connections that it dialled itself, only when a better one is open (one
 * dialled by the smaller id; else an older one). Two sides can thus never close both. A link whose stream
 * was on a closed connection reopens on the kept one with its next frame (`peer-links.ts`; libp2p's dial
 * returns an open connection). Relayed (limited) connections are left alone: the direct one that DCUtR
 * makes next to them replaces them by libp2p's own rules.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'

export interface DuplicateConnectionOptions {
  /** How long a new duplicate may live first, so that the frames already on it arrive and admission settles. */
  readonly graceMs: number
}

export function closeDuplicateConnections(host: Libp2p, options: DuplicateConnectionOptions): void {
  const self = host.peerId.toString()
  host.addEventListener('connection:open', (event) => {
    const peer = event.detail.remotePeer
    setTimeout(() => prune(host, self, peer), options.graceMs).unref()
  })
}

function prune(host: Libp2p, self: string, peer: PeerId): void {
  if (host.status !== 'started') return
  const open = host.getConnections(peer).filter((c) => c.status === 'open' && c.limits === undefined)
  if (open.length < 2) return
  const remote = peer.toString()
  const keep = open.reduce((best, each) => (better(each, best, self, remote) ? each : best))
  for (const connection of open) {
    if (connection === keep || connection.direction !== 'outbound') continue
    void connection.close().catch(() => connection.abort(new Error('duplicate connection')))
  }
}

/** Whether `a` is the connection to keep rather than `b`: dialled by the smaller id, then the older. */
function better(a: Connection, b: Connection, self: string, remote: string): boolean {
  const bySmaller = (c: Connection) =>
    (c.direction === 'outbound' ? self : remote) < (c.direction === 'outbound' ? remote : self)
  if (bySmaller(a) !== bySmaller(b)) return bySmaller(a)
  return a.timeline.open < b.timeline.open
}
