/**
 * The daemon's log: JSON lines for machines, a readable line per entry on a terminal, and membership
 * events at info in both.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import { createLogger, logNodeEvents } from './logger.ts'
import { FAKE_OTHER_PEER_ID, FakeNode } from './testing/fake-node.ts'

function capture(): { stream: Writable; lines: () => string[] } {
  let text = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk)
      done()
    },
  })
  return { stream, lines: () => text.split('\n').filter((line) => line !== '') }
}

describe('daemon log', () => {
  it('logs every membership event at info, readable in msg and whole in event (JSON)', () => {
    const out = capture()
    const node = new FakeNode()
    const stop = logNodeEvents(node, createLogger('info', out.stream, 'json'))
    node.emit({ type: 'MemberFailed', protocol: 'membership', at: 4, id: FAKE_OTHER_PEER_ID, incarnation: 2 })
    node.emit({ type: 'PartitionDetected', protocol: 'membership', at: 6, reachable: 1, known: 3 })
    stop()
    node.emit({ type: 'MemberLeft', protocol: 'membership', at: 7, id: FAKE_OTHER_PEER_ID, incarnation: 3 })
    const entries = out.lines().map((line) => JSON.parse(line))
    assert.deepEqual(
      entries.map((entry) => [entry.level, entry.msg, entry.event.type]),
      [
        [30, '12D3KooW…swrRJsNK FAILED', 'MemberFailed'],
        [30, 'PARTITION: reaches 1 of 3 members', 'PartitionDetected'],
      ],
    )
    assert.equal(node.subscriberCount, 0)
  })

  it('writes one readable line per entry in the pretty form: time, level, message, no JSON', () => {
    const out = capture()
    const node = new FakeNode()
    logNodeEvents(node, createLogger('info', out.stream, 'pretty'))
    node.emit({ type: 'MemberFailed', protocol: 'membership', at: 4, id: FAKE_OTHER_PEER_ID, incarnation: 2 })
    const [line, ...rest] = out.lines()
    assert.deepEqual(rest, [])
    assert.match(line ?? '', /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: 12D3KooW…swrRJsNK FAILED$/)
  })
})
