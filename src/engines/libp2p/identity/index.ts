/**
 * The node's persistent identity: an ed25519 key in the data directory, created on first start and
 * reused after, so a node keeps its peer id across restarts. The file holds the key's protobuf encoding
 * and is readable by its owner only.
 *
 * A surface of its own (it needs only @libp2p/crypto's keys): the cluster tool reads each node's peer id
 * before it starts the node, and loading the whole engine for that cost it ~1 s of CPU per `cluster up`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { MeshError } from '../../../kernel/index.ts'

export const IDENTITY_FILE = 'identity.key'

export async function loadOrCreateIdentity(dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, IDENTITY_FILE)
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (bytes !== undefined) {
    try {
      return privateKeyFromProtobuf(bytes)
    } catch {
      throw new MeshError(
        'INVALID_CONFIG',
        `${path} is not a valid identity key; move it away to create a new identity (the peer id will change)`,
      )
    }
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const key = await generateKeyPair('Ed25519')
  await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
  return key
}
