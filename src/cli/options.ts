/**
 * Parsers for CLI option values. Each throws a `MeshError('INVALID_ARGUMENT')` whose message says what
 * is wrong and what would be right, so the CLI can print one clear line.
 */
import { MeshError } from '../kernel/index.ts'

export function integerOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const value = Number(text)
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `${name} must be an integer from ${min} to ${max}, got '${text}'`,
      )
    }
    return value
  }
}

export function fractionOption(name: string) {
  return (text: string): number => {
    const value = Number(text)
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `${name} must be a fraction from 0 to 1 (e.g. 0.05), got '${text}'`,
      )
    }
    return value
  }
}

export function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (text: string): T => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new MeshError('INVALID_ARGUMENT', `${name} must be one of ${choices.join(', ')}, got '${text}'`)
    }
    return text as T
  }
}
