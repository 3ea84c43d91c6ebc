/**
 * Link shapes for fault injection, as plain data shared by the engine that applies them, the control
 * API that accepts them and the cluster tool that names them.
 */
import { MeshError } from '../kernel/index.ts'
import type { LinkShape } from './running-node.ts'

/** Named link profiles; figures from shared/reference/tasks.md §8 (one-way delay = RTT / 2). */
export const LINK_PROFILES = Object.freeze({
  lan: { delayMs: 0.25, jitterMs: 0.1, lossRate: 0, bandwidthBytesPerSecond: 0 },
  // cable to transatlantic, 100 ms RTT, 0.5 % loss
  wan: { delayMs: 50, jitterMs: 10, lossRate: 0.005, bandwidthBytesPerSecond: 0 },
  // WebPageTest 4G: 170 ms RTT, 9 Mbit/s; jitter about 15 % of RTT
  'mobile-4g': { delayMs: 85, jitterMs: 25, lossRate: 0.01, bandwidthBytesPerSecond: 1_125_000 },
  // Regular 3G: 300 ms RTT, 1.6 Mbit/s down / 768 kbit/s up (the uplink is what a sender sees)
  '3g': { delayMs: 150, jitterMs: 45, lossRate: 0.015, bandwidthBytesPerSecond: 96_000 },
  // GEO satellite RTT with heavy loss: a stress case, not a real link (Jepsen-style)
  hostile: { delayMs: 300, jitterMs: 100, lossRate: 0.1, bandwidthBytesPerSecond: 50_000 },
} satisfies Record<string, Omit<LinkShape, 'peers'>>)

export type LinkProfileName = keyof typeof LINK_PROFILES

export function isLinkProfileName(value: string): value is LinkProfileName {
  return Object.hasOwn(LINK_PROFILES, value)
}

export function validateLinkShape(shape: LinkShape): LinkShape {
  const check = (ok: boolean, message: string): void => {
    if (!ok) throw new MeshError('INVALID_ARGUMENT', `link.${message}`)
  }
  check(Number.isFinite(shape.delayMs) && shape.delayMs >= 0, `delayMs must be ≥ 0, got ${shape.delayMs}`)
  check(Number.isFinite(shape.jitterMs) && shape.jitterMs >= 0, `jitterMs must be ≥ 0, got ${shape.jitterMs}`)
  check(shape.lossRate >= 0 && shape.lossRate <= 1, `lossRate must be in [0, 1], got ${shape.lossRate}`)
  check(
    Number.isFinite(shape.bandwidthBytesPerSecond) && shape.bandwidthBytesPerSecond >= 0,
    `bandwidthBytesPerSecond must be ≥ 0 (0 = unlimited), got ${shape.bandwidthBytesPerSecond}`,
  )
  return shape
}
