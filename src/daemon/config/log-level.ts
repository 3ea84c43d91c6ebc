/**
 * Log levels, apart from `logger.ts` so that reading options does not load pino (the CLI registers
 * `--log-level` for every run, and most runs never log).
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export type LogLevel = (typeof LOG_LEVELS)[number]

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value)
}
