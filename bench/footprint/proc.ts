/**
 * What the footprint benchmark reads from /proc: a process's CPU time and resident memory, and the
 * loopback counters of the network namespace this process runs in (/proc/net is per namespace, so inside
 * a namespace of its own a system's `lo` counts that system's packets only).
 */
import { readFileSync } from 'node:fs'
import { percentile as sortedPercentile } from '../../src/engines/sim/membership/statistics.ts'

/** Linux USER_HZ, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_SECOND = 100

/** User plus system CPU seconds a process has used since it started. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
}

export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((each) => each.startsWith('VmRSS:'))
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024
}

export interface LoopbackCounters {
  readonly bytes: number
  readonly packets: number
}

/**
 * Packets and bytes sent on `lo`. On loopback every packet is sent once and received once, so the
 * transmit side alone counts each packet once.
 */
export function loopbackCounters(): LoopbackCounters {
  const line = readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .find((each) => each.trim().startsWith('lo:'))
  const fields = line?.split(':')[1]?.trim().split(/\s+/).map(Number) ?? []
  return { bytes: fields[8] ?? Number.NaN, packets: fields[9] ?? Number.NaN }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** Nearest-rank percentile of unsorted values, as the membership benchmarks report it. */
export function percentile(values: readonly number[], p: number): number {
  return sortedPercentile(
    [...values].sort((a, b) => a - b),
    p,
  )
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}
