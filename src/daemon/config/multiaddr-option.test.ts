/**
 * Which multiaddrs `--listen` and `--seeds` accept: what the engine's transports listen on and dial, no
 * more, each refusal with its reason.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddrProblem } from './multiaddr-option.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

describe('multiaddr options', () => {
  it('accepts TCP and QUIC on IP addresses and DNS names, seeds with peer ids, and relay addresses', () => {
    for (const text of [
      '/ip4/0.0.0.0/tcp/0',
      '/ip6/::/udp/0/quic-v1',
      '/dns4/localhost/tcp/4001',
      '/p2p-circuit',
    ]) {
      assert.equal(multiaddrProblem(text, 'listen'), undefined, text)
    }
    for (const text of [
      '/ip4/192.0.2.7/tcp/4001',
      `/ip4/192.0.2.7/udp/4001/quic-v1/p2p/${PEER}`,
      `/dns/seed.example/tcp/4001/p2p/${PEER}`,
      `/ip4/192.0.2.7/tcp/4001/p2p/${PEER}/p2p-circuit/p2p/${PEER}`,
    ]) {
      assert.equal(multiaddrProblem(text, 'seed'), undefined, text)
    }
  })

  it('refuses what the engine would fail on, saying why', () => {
    const cases: [string, 'listen' | 'seed', RegExp][] = [
      ['/ip4/127.0.0.1/tcp/65536', 'listen', /smaller than or equal to 65535/],
      ['/ip4/1.2.3/tcp/1', 'seed', /invalid IPv4 address/i],
      ['/quic/1', 'seed', /unknown/],
      ['/ip4/127.0.0.1', 'listen', /TCP .* QUIC/],
      ['/ip4/127.0.0.1/udp/1', 'seed', /TCP .* QUIC/],
      ['/ip4/127.0.0.1/tcp/1/quic-v1', 'seed', /TCP .* QUIC/],
      ['/tcp/1', 'seed', /must start with \/ip4/],
      [`/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, 'listen', /belongs in seeds/],
      ['/ip4/127.0.0.1/tcp/1/p2p/alice', 'seed', /'alice' is not a peer id/],
      ['/ip4/127.0.0.1/tcp/1/p2p-circuit', 'seed', /names the relay's \/p2p/],
    ]
    for (const [text, use, why] of cases) assert.match(multiaddrProblem(text, use) ?? 'accepted', why, text)
  })
})
