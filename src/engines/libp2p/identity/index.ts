/**
 * The node's persistent identity: an ed25519 key in the data directory, created on first start and
 * reused after, so a node keeps its peer id across restarts. The file holds the key's protobuf encoding
 * (libp2p's `PrivateKey { Type = Ed25519, Data = seed ‖ public key }`) and is readable by its owner only.
 *
 * A surface of its own with nothing but Node's built-ins loaded up front: the cluster tool reads each
 * node's peer id before it starts the node (`loadOrCreatePeerId`), and loading the whole engine for that
 * cost ~1 s of CPU per `cluster up`, @libp2p/crypto alone 130–260 ms on a loaded machine.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PrivateKey } from '@libp2p/interface'
import { MeshError } from '../../../kernel/index.ts'
import { base58btc } from './base58.ts'

export const IDENTITY_FILE = 'identity.key'

/** The protobuf header of an ed25519 private key (`08 01`: type Ed25519, `12 40`: 64 bytes of data). */
const PRIVATE_KEY_HEADER = [0x08, 0x01, 0x12, 0x40]
/** The protobuf header of an ed25519 public key (32 bytes of data). */
const PUBLIC_KEY_HEADER = [0x08, 0x01, 0x12, 0x20]
/** An identity multihash (code 0x00) of the 36-byte public key protobuf. */
const IDENTITY_MULTIHASH_HEADER = [0x00, 0x24]

export async function loadOrCreateIdentity(dataDir: string): Promise<PrivateKey> {
  const { privateKeyFromProtobuf } = await import('@libp2p/crypto/keys')
  const path = join(dataDir, IDENTITY_FILE)
  const bytes = (await readIdentity(path)) ?? (await createIdentity(dataDir, path))
  try {
    return privateKeyFromProtobuf(bytes)
  } catch {
    throw invalid(path)
  }
}

/**
 * The peer id of the identity in `dataDir`, made now if there is none, without loading libp2p: the same
 * string `loadOrCreateIdentity(dataDir)` then gives as `publicKey.toString()`.
 */
export async function loadOrCreatePeerId(dataDir: string): Promise<string> {
  const path = join(dataDir, IDENTITY_FILE)
  const bytes = (await readIdentity(path)) ?? (await createIdentity(dataDir, path))
  if (bytes.length !== 68 || PRIVATE_KEY_HEADER.some((byte, i) => bytes[i] !== byte)) {
    // not an ed25519 key written as above: let libp2p read it (and refuse it) as the node would
    return (await loadOrCreateIdentity(dataDir)).publicKey.toString()
  }
  const publicKey = bytes.subarray(36, 68)
  return base58btc(Uint8Array.from([...IDENTITY_MULTIHASH_HEADER, ...PUBLIC_KEY_HEADER, ...publicKey]))
}

async function readIdentity(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    return undefined
  }
}

/** A new ed25519 key from Node's crypto, written in libp2p's protobuf encoding. */
async function createIdentity(dataDir: string, path: string): Promise<Uint8Array> {
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' })
  const seed = Buffer.from(jwk.d as string, 'base64url')
  const publicKey = Buffer.from(jwk.x as string, 'base64url')
  const bytes = Uint8Array.from([...PRIVATE_KEY_HEADER, ...seed, ...publicKey])
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  await writeFile(path, bytes, { mode: 0o600, flag: 'wx' })
  return bytes
}

function invalid(path: string): MeshError {
  return new MeshError(
    'INVALID_CONFIG',
    `${path} is not a valid identity key; move it away to create a new identity (the peer id will change)`,
  )
}
