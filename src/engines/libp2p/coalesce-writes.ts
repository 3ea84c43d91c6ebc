/**
 * Fewer packets per message over TCP + Noise + Yamux: two workarounds below libp2p's public surface that
 * take one membership probe on loopback from 11 packets to about 3 (measured with tcpdump in a network
 * namespace, bench/results/footprint-coalesce-*.json: 116 → 39 packets/s per node at 10 nodes).
 *
 * 1. One segment per tick. `@libp2p/tcp` writes every chunk of a Uint8ArrayList with its own
 *    `socket.write`, and Noise hands it two per message (the 2-byte length, then the ciphertext), so with
 *    TCP_NODELAY each message leaves as two segments, and a reply's window update as two more. Corking the
 *    socket until the next tick sends everything written in one burst (ack, window update, the TCP ACK
 *    riding along) as one writev.
 * 2. Window updates at half a window. `@chainsafe/libp2p-yamux` answers every data frame with a window
 *    update frame; Go's yamux (and the yamux spec's intent) waits until half the receive window is used.
 *    Membership frames are tens of bytes against a 256 KiB window, so this removes one frame per message.
 *
 * Both reach into library internals (a connection's `maConn`, YamuxStream's private window fields); the
 * lasting fix belongs upstream. Each checks the shape it relies on first and leaves the library alone when
 * a newer version looks different, so an upgrade can cost packets but never correctness.
 */
import type { Socket } from 'node:net'
import { YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import type { Libp2p } from 'libp2p'

interface WithSocket {
  socket?: Socket
  sendData?: (data: unknown) => unknown
}

export function coalesceSocketWrites(host: Libp2p): void {
  host.addEventListener('connection:open', (event) => {
    const maConn = (event.detail as unknown as { maConn?: WithSocket }).maConn
    const socket = maConn?.socket
    const sendData = maConn?.sendData
    if (maConn === undefined || typeof sendData !== 'function' || typeof socket?.cork !== 'function') return
    maConn.sendData = (data: unknown) => {
      if (socket.writableCorked === 0) {
        socket.cork()
        process.nextTick(() => socket.uncork())
      }
      return sendData.call(maConn, data)
    }
  })
}

/** yamux's StreamState.Established: only a settled stream may skip an update (others carry flags). */
const ESTABLISHED = 3
let yamuxPatched = false

export function batchYamuxWindowUpdates(): void {
  if (yamuxPatched) return
  yamuxPatched = true
  const prototype = YamuxStream.prototype as unknown as {
    sendWindowUpdate?: (this: YamuxWindow) => void
  }
  const original = prototype.sendWindowUpdate
  if (typeof original !== 'function') return
  prototype.sendWindowUpdate = function (this: YamuxWindow) {
    const shaped = typeof this.recvWindow === 'number' && typeof this.recvWindowCapacity === 'number'
    if (
      shaped &&
      this.state === ESTABLISHED &&
      (this.recvWindow - this.recvWindowCapacity) * 2 < this.recvWindow
    )
      return
    original.call(this)
  }
}

interface YamuxWindow {
  state: number
  recvWindow: number
  recvWindowCapacity: number
}
