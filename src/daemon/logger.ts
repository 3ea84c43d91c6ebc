/**
 * The daemon's log: pino, one JSON object per line on stderr, so stdout stays free for the one line that
 * `meshwork node start` prints when ready (scripts read it) and logs go wherever stderr is collected.
 */
import { type DestinationStream, type Logger, pino } from 'pino'
import type { LogLevel } from './log-level.ts'

/** `destination` is for tests; the daemon logs to stderr (file descriptor 2), written synchronously. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ name: 'meshwork', level }, destination ?? pino.destination({ fd: 2, sync: true }))
}

export type { Logger }
