/**
 * A process that writes to a state store until it is killed, printing each write's acknowledgement only
 * after the store returned (the durability rule's "persist, then acknowledge"). Single deltas, batches and
 * snapshots (compactions) are mixed, chosen from a seed. Stdout is written synchronously, so a printed
 * line means the write had returned before it.
 *
 * Usage: node src/storage/testing/crash-writer.ts <store path> <seed>
 */
import { writeSync } from 'node:fs'
import { Random } from '../../kernel/index.ts'
import { StateStore } from '../index.ts'
import {
  CRASH_OBJECTS,
  crashDelta,
  decodeFolded,
  encodeFolded,
  formatAck,
  MAX_CRASH_BATCH,
} from './acknowledged-writes.ts'

/** A bound, should nobody kill this process: it stops on its own after this many writes. */
const MAX_WRITES = 100_000

const [path, seed] = process.argv.slice(2)
if (path === undefined || seed === undefined) throw new Error('usage: crash-writer.ts <store path> <seed>')
const random = new Random(seed)
const store = StateStore.open(path)
// what a restarting node does: the state it recovers is what its next snapshots fold in
const folded = new Map<string, number[]>()
for (const object of store.load()) {
  const seqs = object.snapshot === undefined ? [] : decodeFolded(object.snapshot)
  folded.set(object.name, [...seqs, ...object.deltas.map((delta) => delta.seq)])
}
for (const name of CRASH_OBJECTS) {
  store.createObject(name, 'set')
  if (!folded.has(name)) folded.set(name, [])
}
writeSync(1, 'ready\n')

let counter = 0
for (let write = 0; write < MAX_WRITES; write++) {
  const name = CRASH_OBJECTS[random.intBelow(CRASH_OBJECTS.length)] as string
  const choice = random.float()
  if (choice < 0.05) {
    // fold everything acknowledged for this object into a snapshot, deleting those deltas
    const seqs = folded.get(name) as number[]
    store.writeSnapshot(name, encodeFolded(seqs), store.lastSeq)
    writeSync(1, `snapshot ${name} ${store.lastSeq}\n`)
    continue
  }
  const size = choice < 0.6 ? 1 : random.intBetween(2, MAX_CRASH_BATCH)
  const writes = Array.from({ length: size }, () => ({ name, counter: counter++ }))
  const seqs =
    size === 1
      ? [store.appendDelta(name, crashDelta(writes[0]!.counter))]
      : store.appendDeltas(writes.map((w) => ({ name, delta: crashDelta(w.counter) })))
  let lines = ''
  seqs.forEach((seq, i) => {
    ;(folded.get(name) as number[]).push(seq)
    lines += formatAck({ seq, name, counter: writes[i]!.counter })
  })
  writeSync(1, lines)
}
store.close()
