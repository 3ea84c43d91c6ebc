/**
 * Server-sent events as a symmetric pair (after lib0's encoding/decoding): `formatSseData` and
 * `SSE_HEARTBEAT` write what `SseParser` reads. Only the part of the format that the API uses is
 * written (`data:` lines and comments); the parser reads the rest of the WHATWG grammar too (`event:`,
 * `id:`, `retry:` are accepted and ignored) so that proxies that add fields do not break it.
 */

/** A comment line: keeps proxies and NATs from closing an idle stream, and is ignored by readers. */
export const SSE_HEARTBEAT = ': heartbeat\n\n'

/** One event whose data is `value` as JSON. JSON has no raw newlines, so one `data:` line suffices. */
export function formatSseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`
}

/** An event bigger than this is a broken or hostile server; membership events are well under 4 KiB. */
export const MAX_SSE_EVENT_CHARS = 1_048_576

/**
 * Reads a text stream in arbitrary chunks and returns the `data` of each complete event. Throws when one
 * event grows past `maxEventChars`, so a stream without blank lines cannot fill memory.
 */
export class SseParser {
  private readonly maxEventChars: number
  private buffer = ''
  private data: string[] = []
  private dataChars = 0

  constructor(maxEventChars = MAX_SSE_EVENT_CHARS) {
    this.maxEventChars = maxEventChars
  }

  push(chunk: string): string[] {
    this.buffer += chunk
    const events: string[] = []
    for (;;) {
      const end = this.lineEnd()
      if (end === undefined) break
      const line = this.buffer.slice(0, end.at)
      this.buffer = this.buffer.slice(end.at + end.length)
      if (line === '') {
        if (this.data.length > 0) events.push(this.data.join('\n'))
        this.data = []
        this.dataChars = 0
      } else {
        this.field(line)
      }
    }
    if (this.buffer.length + this.dataChars > this.maxEventChars) {
      throw new RangeError(`server-sent event longer than ${this.maxEventChars} characters`)
    }
    return events
  }

  private lineEnd(): { at: number; length: number } | undefined {
    const cr = this.buffer.indexOf('\r')
    const lf = this.buffer.indexOf('\n')
    if (cr === -1 && lf === -1) return undefined
    if (cr === -1 || (lf !== -1 && lf < cr)) return { at: lf, length: 1 }
    // A CR at the very end may be the first half of CRLF: wait for the next chunk.
    if (cr === this.buffer.length - 1) return undefined
    return { at: cr, length: this.buffer[cr + 1] === '\n' ? 2 : 1 }
  }

  private field(line: string): void {
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const name = colon === -1 ? line : line.slice(0, colon)
    if (name !== 'data') return
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    this.data.push(value)
    this.dataChars += value.length + 1
    if (this.dataChars > this.maxEventChars) {
      throw new RangeError(`server-sent event longer than ${this.maxEventChars} characters`)
    }
  }
}
