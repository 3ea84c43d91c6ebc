/**
 * Typed, serialisable errors: a stable string code that programs match on, a message for people, and
 * plain data (after Lodestar's `LodestarError`). Remote input never produces one of these by throwing;
 * they are for local misuse (bad options, bad CLI input) and for reporting.
 */

export type MeshErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_CONFIG'
  | 'NOT_FOUND'
  | 'FRAME_TOO_LARGE'
  | 'DECODE_FAILED'
  | 'CAPACITY_EXCEEDED'
  | 'INVARIANT_VIOLATED'
  | 'TIMEOUT'
  | 'UNAVAILABLE'

export class MeshError<Data extends Record<string, unknown> = Record<string, unknown>> extends Error {
  readonly code: MeshErrorCode
  readonly data: Data

  constructor(code: MeshErrorCode, message: string, data?: Data) {
    super(message)
    this.name = 'MeshError'
    this.code = code
    this.data = data ?? ({} as Data)
  }

  toJSON(): { code: MeshErrorCode; message: string; data: Data } {
    return { code: this.code, message: this.message, data: this.data }
  }
}

export function isMeshError(value: unknown): value is MeshError {
  return value instanceof MeshError
}
