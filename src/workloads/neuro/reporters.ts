/**
 * Progress reporting for long evolution runs: a one-line progress bar redrawn in place on a terminal, or
 * JSON lines (one object per generation and per finished run) when the output is a file or a pipe, so a
 * log can be followed with `tail -f` and parsed. Both write to the stream they are given (the CLI uses
 * stderr, keeping stdout for the result).
 */
import type { GenerationReport, RunResult } from './evolution.ts'

export interface Reporter {
  generation(report: GenerationReport, run: number): void
  run(result: RunResult, run: number): void
  /** Clears any partial line. */
  close(): void
}

interface Writable {
  write(text: string): unknown
}

const BAR_WIDTH = 24
/** Redraws at most this often; XOR generations take well under a millisecond. */
const REDRAW_MS = 100

export function progressBarReporter(stream: Writable, runs: number, task: string): Reporter {
  let solved = 0
  let finished = 0
  let lastDraw = 0
  let drawn = false
  const draw = (line: string): void => {
    stream.write(`\r\u001b[2K${line}`)
    drawn = true
  }
  return {
    generation(report, run) {
      const now = performance.now()
      if (now - lastDraw < REDRAW_MS) return
      lastDraw = now
      const filled = Math.round((finished / runs) * BAR_WIDTH)
      const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`
      draw(
        `${task} ${bar} run ${run + 1}/${runs} · gen ${report.generation} · best ${format(report.bestFitness)} · ` +
          `${report.species} species · ${report.evaluations.toLocaleString('en-US')} evals · ${solved} solved`,
      )
    },
    run(result) {
      finished++
      if (result.solved) solved++
    },
    close() {
      if (drawn) stream.write('\r\u001b[2K')
    },
  }
}

export function jsonLinesReporter(stream: Writable): Reporter {
  return {
    generation(report, run) {
      stream.write(`${JSON.stringify({ event: 'generation', run, ...report })}\n`)
    },
    run(result, run) {
      const { champion, ...rest } = result
      stream.write(
        `${JSON.stringify({ event: 'run', run, ...rest, championFitness: champion.fitness, championMetrics: champion.metrics })}\n`,
      )
    },
    close() {},
  }
}

export const silentReporter: Reporter = { generation() {}, run() {}, close() {} }

function format(value: number): string {
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(4)
}
