/**
 * Waiting on child processes in multi-process tests, always bounded: a condition that becomes true, a
 * process that exits, and the output it wrote so far.
 */
import type { ChildProcess } from 'node:child_process'

export interface Output {
  stdout: string
  stderr: string
}

/** What `child` writes, accumulated as it arrives. */
export function collect(child: ChildProcess): Output {
  const output = { stdout: '', stderr: '' }
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    output.stdout += text
  })
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    output.stderr += text
  })
  return output
}

export async function until(predicate: () => boolean, limitMs: number, what: string): Promise<void> {
  const end = performance.now() + limitMs
  while (!predicate()) {
    if (performance.now() > end) throw new Error(`${what} not within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The exit status, once `child` has exited; rejects if it still runs after `limitMs`. */
export function exited(child: ChildProcess, limitMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`pid ${child.pid} still runs after ${limitMs} ms`)),
      limitMs,
    )
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}
