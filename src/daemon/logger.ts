/**
 * The daemon's log: pino on stderr, so stdout stays free for the one line that `meshwork node start`
 * prints when ready (scripts read it) and logs go wherever stderr is collected. Where stderr is a file or
 * a pipe (a service manager, a cluster's node.log), one JSON object per line; on a terminal, one readable
 * line per entry through pino-pretty (docs/adr/0008-readable-logs-with-pino-pretty.md), loaded only then.
 *
 * Membership events are logged at info as they happen: `msg` is the line `api/describe-event.ts` writes
 * for people, `event` the event itself for machines.
 */
import { createRequire } from 'node:module'
import { type DestinationStream, type Logger, pino } from 'pino'
import type PinoPretty from 'pino-pretty'
import { describeEvent, type OtherEvent } from '../api/index.ts'
import type { RunningNode } from '../node/index.ts'
import type { LogLevel } from './config/index.ts'

export type LogFormat = 'json' | 'pretty'

/**
 * `destination` is for tests; the daemon logs to stderr (file descriptor 2), written synchronously.
 * @param format @default 'pretty' when stderr is a terminal, else 'json'
 */
export function createLogger(
  level: LogLevel,
  destination?: DestinationStream,
  format: LogFormat = process.stderr.isTTY ? 'pretty' : 'json',
): Logger {
  const options = { name: 'meshwork', level }
  if (format === 'json') return pino(options, destination ?? pino.destination({ fd: 2, sync: true }))
  return pino(options, prettyStream(destination))
}

/** Logs each membership event of `node` at info; returns the function that stops. */
export function logNodeEvents(node: Pick<RunningNode, 'subscribe'>, logger: Logger): () => void {
  return node.subscribe((event) => logger.info({ event }, describeEvent(event as unknown as OtherEvent)))
}

function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  // pino-pretty is CommonJS; required here, on first use, so JSON logging never loads it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty
  return pretty({
    // A test's stream, or stderr written synchronously, so the last lines before an exit are not lost.
    destination: destination ?? 2,
    sync: true,
    colorize: destination === undefined && process.stderr.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    // The event's details are in the message already; pid, host and name say nothing on one's own terminal.
    ignore: 'pid,hostname,name,event',
    singleLine: true,
  })
}

export type { Logger }
