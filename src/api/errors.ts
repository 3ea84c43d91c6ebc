/**
 * The error side of the control API. The server answers every failure with `{code, message}` and a 4xx or
 * 5xx status; the client turns those answers, and failures to reach the server at all, into one `ApiError`
 * so the CLI can print one line whatever went wrong.
 */

/** Codes the server sends. */
export type ServerErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'FAULTS_NOT_ALLOWED'
  | 'HOST_NOT_ALLOWED'
  | 'ORIGIN_NOT_ALLOWED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_STREAMS'
  | 'SHUTTING_DOWN'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'INTERNAL'

/** Codes the client adds when there is no answer to read (status 0) or the answer makes no sense. */
export type ClientErrorCode = 'UNREACHABLE' | 'UNTRUSTED_CERTIFICATE' | 'TIMEOUT' | 'BAD_RESPONSE'

export type ApiErrorCode = ServerErrorCode | ClientErrorCode

export interface ApiErrorBody {
  readonly code: string
  readonly message: string
}

export class ApiError extends Error {
  /** A `ServerErrorCode` or `ClientErrorCode`; a newer server may send codes this client does not know. */
  readonly code: string
  /** HTTP status, or 0 when no answer came. */
  readonly status: number

  constructor(code: string, status: number, message: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
  }

  toJSON(): ApiErrorBody & { status: number } {
    return { code: this.code, message: this.message, status: this.status }
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false
  const body = value as Record<string, unknown>
  return typeof body.code === 'string' && typeof body.message === 'string'
}
