import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { IDENTITY_FILE, loadOrCreateIdentity, loadOrCreatePeerId } from './index.ts'

const root = mkdtempSync(join(tmpdir(), 'meshwork-identity-'))
after(() => rmSync(root, { recursive: true, force: true }))

it('gives, for a key it made, the peer id that libp2p derives from that key', async () => {
  for (let i = 0; i < 20; i++) {
    const dir = join(root, `made-${i}`)
    const peerId = await loadOrCreatePeerId(dir)
    const key = await loadOrCreateIdentity(dir)
    assert.equal(peerId, peerIdFromPrivateKey(key).toString())
    assert.equal(peerId, key.publicKey.toString())
    assert.equal(await loadOrCreatePeerId(dir), peerId, 'the same identity on a second read')
  }
})

it("reads a key libp2p wrote and gives libp2p's peer id for it", async () => {
  for (let i = 0; i < 20; i++) {
    const dir = join(root, `libp2p-${i}`)
    const key = await generateKeyPair('Ed25519')
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }))
    writeFileSync(join(dir, IDENTITY_FILE), privateKeyToProtobuf(key))
    assert.equal(await loadOrCreatePeerId(dir), peerIdFromPrivateKey(key).toString())
  }
})

it('refuses a file that is not a key, naming it', async () => {
  const dir = join(root, 'garbage')
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }))
  writeFileSync(join(dir, IDENTITY_FILE), 'not a key')
  await assert.rejects(loadOrCreatePeerId(dir), /identity\.key is not a valid identity key/)
  assert.equal(readFileSync(join(dir, IDENTITY_FILE), 'utf8'), 'not a key')
})
