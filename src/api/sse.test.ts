/**
 * The SSE writer and reader are inverses, whatever the chunking, and the reader is bounded.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { formatSseData, SSE_HEARTBEAT, SseParser } from './sse.ts'

describe('server-sent events', () => {
  it('reads back every written value, in order, however the text is split (law: parse ∘ format = id)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 10 }),
        fc.array(fc.nat({ max: 200 }), { maxLength: 20 }),
        (values, cuts) => {
          const text = values
            .map((value, i) => (i % 2 === 0 ? SSE_HEARTBEAT : '') + formatSseData(value))
            .join('')
          const parser = new SseParser()
          const read: unknown[] = []
          let at = 0
          for (const cut of [...cuts].sort((a, b) => a - b)) {
            if (cut <= at || cut >= text.length) continue
            for (const data of parser.push(text.slice(at, cut))) read.push(JSON.parse(data))
            at = cut
          }
          for (const data of parser.push(text.slice(at))) read.push(JSON.parse(data))
          assert.deepEqual(read, JSON.parse(JSON.stringify(values)))
        },
      ),
    )
  })

  it('joins multi-line data, accepts CRLF and CR line ends, and ignores comments and other fields', () => {
    const parser = new SseParser()
    assert.deepEqual(parser.push('event: x\r\nid: 1\r\ndata: a\r\ndata:b\r\n\r'), [])
    // A CR that ends a chunk may be half of a CRLF, so the event after it completes with the next chunk.
    assert.deepEqual(parser.push('\n: comment\rdata: c\r\r'), ['a\nb'])
    assert.deepEqual(parser.push('data: d\n\n'), ['c', 'd'])
  })

  it('throws instead of buffering an event past its bound', () => {
    const parser = new SseParser(100)
    assert.throws(() => parser.push(`data: ${'x'.repeat(200)}`), RangeError)
    assert.throws(
      () => new SseParser(100).push(`data: ${'x'.repeat(60)}\ndata: ${'x'.repeat(60)}\n`),
      RangeError,
    )
  })
})
