import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CONNECTION_CLASSES, isMeshError, MeshError } from '../../kernel/index.ts'
import { type MembershipConfig, membershipConfig, PRESETS } from './config.ts'

const CLASSES = CONNECTION_CLASSES

const POSITIVE_KEYS = [
  'probeIntervalMs',
  'probeTimeoutMinMs',
  'probeTimeoutMaxMs',
  'suspicionBaseMs',
  'suspicionMaxMultiplier',
  'retransmitMultiplier',
  'gossipIntervalMs',
  'gossipFanout',
  'maxGossipBytes',
  'pushPullIntervalMs',
  'reconnectIntervalMs',
  'reapFailedAfterMs',
  'reapLeftAfterMs',
  'awarenessMax',
  'joinRetryMs',
  'maxMembers',
  'maxQueuedUpdates',
  'quietProbeIntervalMs',
  'quietAfterMs',
] as const satisfies readonly (keyof MembershipConfig)[]

const COUNT_KEYS = [
  'indirectChecks',
  'suspicionConfirmations',
  'verifyProbes',
] as const satisfies readonly (keyof MembershipConfig)[]

/** Asserts that building the config throws `INVALID_CONFIG` naming `key`, in its data and its message. */
function assertRejected(overrides: Partial<MembershipConfig>, key: keyof MembershipConfig): void {
  assert.throws(
    () => membershipConfig('lan', overrides),
    (error: unknown) => {
      assert.ok(error instanceof MeshError && isMeshError(error))
      assert.equal(error.code, 'INVALID_CONFIG')
      assert.equal(error.data.key, key)
      assert.match(error.message, new RegExp(`membership\\.${key}`))
      return true
    },
  )
}

describe('membership config', () => {
  describe('presets', () => {
    for (const connectionClass of CLASSES) {
      it(`the ${connectionClass} preset passes validation unchanged and is frozen`, () => {
        const config = membershipConfig(connectionClass)
        assert.deepEqual(config, PRESETS[connectionClass])
        assert.ok(Object.isFrozen(config))
        assert.ok(Object.isFrozen(PRESETS[connectionClass]))
      })

      it(`the ${connectionClass} preset keeps its timings coherent: floor ≤ ceiling, gossip as often as probes, knocks before reaping`, () => {
        const config = PRESETS[connectionClass]
        assert.ok(config.probeTimeoutMinMs <= config.probeTimeoutMaxMs)
        assert.ok(
          config.gossipIntervalMs <= config.probeIntervalMs,
          'gossip is at least as frequent as probing',
        )
        assert.ok(
          config.reapFailedAfterMs > config.reconnectIntervalMs,
          'a failed member is knocked on before it is forgotten',
        )
        assert.ok(config.maxGossipBytes >= 512, 'room for a few updates per message')
      })
    }

    it('slower links get slower probing: lan ≤ wan ≤ mobile', () => {
      assert.ok(PRESETS.lan.probeIntervalMs <= PRESETS.wan.probeIntervalMs)
      assert.ok(PRESETS.wan.probeIntervalMs <= PRESETS.mobile.probeIntervalMs)
      assert.ok(PRESETS.lan.suspicionBaseMs <= PRESETS.wan.suspicionBaseMs)
    })

    it('defaults to the LAN preset', () => {
      assert.deepEqual(membershipConfig(), PRESETS.lan)
    })
  })

  describe('overrides', () => {
    it('replace only the fields given', () => {
      const config = membershipConfig('wan', { probeIntervalMs: 250, verifyProbes: 0 })
      assert.equal(config.probeIntervalMs, 250)
      assert.equal(config.verifyProbes, 0)
      assert.equal(config.suspicionBaseMs, PRESETS.wan.suspicionBaseMs)
      assert.ok(Object.isFrozen(config))
    })

    for (const key of POSITIVE_KEYS) {
      it(`a zero, negative, infinite or NaN ${key} throws INVALID_CONFIG naming it`, () => {
        for (const value of [0, -1, Number.POSITIVE_INFINITY, Number.NaN])
          assertRejected({ [key]: value }, key)
      })
    }

    for (const key of COUNT_KEYS) {
      it(`a negative or fractional ${key} throws INVALID_CONFIG naming it, and zero is allowed`, () => {
        for (const value of [-1, 1.5, Number.NaN]) assertRejected({ [key]: value }, key)
        assert.equal(membershipConfig('lan', { [key]: 0 })[key], 0)
      })
    }

    it('a probe timeout floor above its ceiling throws INVALID_CONFIG naming probeTimeoutMinMs', () => {
      assertRejected({ probeTimeoutMinMs: 600, probeTimeoutMaxMs: 500 }, 'probeTimeoutMinMs')
    })

    it('a quiet probe interval below the usual one throws INVALID_CONFIG naming quietProbeIntervalMs', () => {
      assertRejected({ quietProbeIntervalMs: 50 }, 'quietProbeIntervalMs')
      const same = membershipConfig('lan', { quietProbeIntervalMs: 100 })
      assert.equal(same.quietProbeIntervalMs, same.probeIntervalMs, 'equal: a quiet cluster keeps its pace')
    })

    it('a partition quorum outside (0, 1] throws INVALID_CONFIG naming partitionQuorum', () => {
      for (const value of [0, -0.5, 1.01, Number.NaN])
        assertRejected({ partitionQuorum: value }, 'partitionQuorum')
      assert.equal(membershipConfig('lan', { partitionQuorum: 1 }).partitionQuorum, 1)
    })

    it('the error serialises to its code, message and data', () => {
      try {
        membershipConfig('lan', { gossipFanout: 0 })
        assert.fail('expected a throw')
      } catch (error) {
        assert.ok(error instanceof MeshError)
        const json = JSON.parse(JSON.stringify(error)) as { code: string; data: { key: string } }
        assert.equal(json.code, 'INVALID_CONFIG')
        assert.equal(json.data.key, 'gossipFanout')
      }
    })
  })

  it('has one preset for every connection class', () => {
    assert.deepEqual(Object.keys(PRESETS).sort(), [...CONNECTION_CLASSES].sort())
  })
})
