import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CONNECTION_CLASSES, isMeshError } from '../../kernel/index.ts'
import { OVERLAY_PRESETS, type OverlayConfig, overlayConfig } from './config.ts'

function refusal(overrides: Partial<OverlayConfig>): string {
  try {
    overlayConfig('lan', overrides)
  } catch (error) {
    assert.ok(isMeshError(error) && error.code === 'INVALID_CONFIG')
    return error.message
  }
  return 'accepted'
}

describe('overlay config', () => {
  it('gives every connection class the paper’s view sizes and walk lengths, and a valid preset', () => {
    for (const preset of CONNECTION_CLASSES) {
      const config = overlayConfig(preset)
      assert.deepEqual(config, OVERLAY_PRESETS[preset])
      assert.equal(config.activeViewSize, 5)
      assert.equal(config.passiveViewSize, 30)
      assert.equal(config.activeRandomWalkLength, 6)
      assert.equal(config.passiveRandomWalkLength, 3)
      assert.deepEqual([config.shuffleActive, config.shufflePassive, config.longLinks], [3, 4, 2])
    }
  })

  it('names the field and the rule it breaks', () => {
    assert.match(
      refusal({ activeViewSize: 0 }),
      /overlay\.activeViewSize must be an integer from 1 to 64, got 0/,
    )
    assert.match(
      refusal({ passiveRandomWalkLength: 7 }),
      /overlay\.passiveRandomWalkLength must be an integer from 0 to 6/,
    )
    assert.match(refusal({ longLinks: 6 }), /overlay\.longLinks must be an integer from 0 to 5/)
    assert.match(refusal({ shuffleActive: 40, shufflePassive: 40 }), /wire limit/)
    assert.match(
      refusal({ heartbeatIntervalMs: Number.NaN }),
      /heartbeatIntervalMs must be a positive number/,
    )
    assert.match(refusal({ heartbeatTimeoutMs: 1_000 }), /heartbeatTimeoutMs must exceed heartbeatIntervalMs/)
    assert.match(refusal({ optimizeRatio: 1.5 }), /optimizeRatio must be in \(0, 1\]/)
    assert.match(refusal({ optimizeMinGainMs: -1 }), /optimizeMinGainMs must be a non-negative/)
    assert.match(
      refusal({ optimizeFastIntervalMs: 10_000 }),
      /optimizeFastIntervalMs must not exceed optimizeIntervalMs/,
    )
    assert.match(
      refusal({ shuffleFastIntervalMs: 20_000 }),
      /shuffleFastIntervalMs must not exceed shuffleIntervalMs/,
    )
    assert.match(refusal({ passiveScanLength: 1.5 }), /passiveScanLength must be an integer/)
    assert.equal(refusal({ passiveViewSize: 0, longLinks: 0 }), 'accepted')
  })
})
