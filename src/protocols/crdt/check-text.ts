/**
 * The check a mutator makes on a key or an actor id before it enters a state. A state must stay decodable
 * by every peer, so a string is refused locally when the codec would not carry it faithfully: one with a
 * lone surrogate (UTF-8 writes it as U+FFFD, so two such keys would collide on the wire) or one longer than
 * the limits' `maxKeyBytes` (every peer's decoder would refuse the whole state).
 */
import { MeshError } from '../../kernel/index.ts'

export function checkText(what: string, text: string, maxBytes: number): void {
  if (typeof text !== 'string' || !text.isWellFormed()) {
    throw new MeshError('INVALID_ARGUMENT', `${what} must be a well-formed string`)
  }
  const bytes = utf8Length(text)
  if (bytes > maxBytes) {
    throw new MeshError('INVALID_ARGUMENT', `${what} takes ${bytes} UTF-8 bytes, more than ${maxBytes}`, {
      bytes,
      maxBytes,
    })
  }
}

/** UTF-8 bytes of a well-formed string (a surrogate pair is one four-byte code point). */
function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}
