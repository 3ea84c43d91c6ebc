/**
 * Question: what does reassembling one large frame cost when a peer sends it in tiny chunks?
 *
 * A stream transport may hand the reader any chunking; a hostile peer chooses the worst. The issue's
 * target: one 1 MiB frame in 64-byte chunks ≤ 20 ms of CPU. Each row feeds `FrameReader` (the real reader
 * of src/engines/libp2p/framing.ts) one frame in chunks of a given size and measures the CPU time of the
 * whole reassembly (process.cpuUsage, user + system), repeated; medians are reported. The reference row
 * runs the reader this project had before, which concatenated every chunk onto the partial buffer, once
 * (it is quadratic: seconds per megabyte).
 *
 * Usage: node bench/frame-reassembly.ts [--frame-bytes 1048576] [--repeats 9] [--no-reference]
 * Writes bench/results/frame-reassembly-<date>.json.
 */
import { parseArgs } from 'node:util'
import { FrameReader, lengthPrefixed } from '../src/engines/libp2p/framing.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    'frame-bytes': { type: 'string', default: String(1 << 20) },
    repeats: { type: 'string', default: '9' },
    'no-reference': { type: 'boolean', default: false },
  },
})
const frameBytes = Number(values['frame-bytes'])
const repeats = Number(values.repeats)
const CHUNK_SIZES = [65_536, 1_024, 64, 16, 1]

function cpuMs(run: () => void): number {
  const start = process.cpuUsage()
  run()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** The whole wire image split into chunks of `chunkBytes` (made before timing: the transport's work). */
function chunked(wire: Uint8Array, chunkBytes: number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let at = 0; at < wire.length; at += chunkBytes) chunks.push(wire.subarray(at, at + chunkBytes))
  return chunks
}

function reassemble(chunks: readonly Uint8Array[]): void {
  const reader = new FrameReader(frameBytes)
  let frames = 0
  for (const chunk of chunks) frames += reader.push(chunk).length
  if (frames !== 1) throw new Error(`expected one frame, got ${frames}`)
}

/** The reader before the fix: every chunk concatenated onto the whole partial buffer. */
function reassembleByConcatenation(chunks: readonly Uint8Array[]): void {
  let buffer = new Uint8Array(0)
  for (const chunk of chunks) {
    const grown = new Uint8Array(buffer.length + chunk.length)
    grown.set(buffer, 0)
    grown.set(chunk, buffer.length)
    buffer = grown
  }
  if (buffer.length < frameBytes) throw new Error('short')
}

const wire = lengthPrefixed(new Uint8Array(frameBytes).map((_, i) => i & 0xff))
const rows = CHUNK_SIZES.map((chunkBytes) => {
  const chunks = chunked(wire, chunkBytes)
  reassemble(chunks) // warm-up
  const samples = Array.from({ length: repeats }, () => cpuMs(() => reassemble(chunks)))
  return {
    chunkBytes,
    chunks: chunks.length,
    cpuMsMedian: Math.round(median(samples) * 100) / 100,
    cpuMsMax: Math.round(Math.max(...samples) * 100) / 100,
  }
})
const reference = values['no-reference']
  ? null
  : { chunkBytes: 64, cpuMs: Math.round(cpuMs(() => reassembleByConcatenation(chunked(wire, 64)))) }

const target = rows.find((row) => row.chunkBytes === 64)
const result = {
  frameBytes,
  repeats,
  rows,
  referenceConcatenation: reference,
  target: { chunkBytes: 64, maxCpuMs: 20, met: target !== undefined && target.cpuMsMedian <= 20 },
}
const path = writeResult('frame-reassembly', result)
process.stdout.write(`${JSON.stringify(result)}\n${path}\n`)
