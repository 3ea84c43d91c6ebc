/**
 * Writes one benchmark's result as `bench/results/<name>-<YYYY-MM-DD>.json`, with the machine and Node
 * version it ran on, so figures are never read without their context.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'

export function writeResult(name: string, body: Record<string, unknown>): string {
  const date = new Date().toISOString().slice(0, 10)
  const result = {
    benchmark: name,
    date,
    machine: {
      cores: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
    },
    node: process.version,
    ...body,
  }
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  const url = new URL(`./results/${name}-${date}.json`, import.meta.url)
  writeFileSync(url, `${JSON.stringify(result, null, 2)}\n`)
  return url.pathname
}
