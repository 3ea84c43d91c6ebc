/**
 * Cuts the cluster in two, waits until every side that lost more than (1 − quorum) of the cluster reports
 * the partition (the `partition-detected` checker judges it), then heals and waits for one view.
 */
import { drawPartitionGroups } from '../../partition-groups.ts'
import type { Phase } from '../phase.ts'

export const partitionPhase: Phase = {
  name: 'partition',
  run(c, progress) {
    const s = c.scenario
    c.measurements.partition = null
    if (!s.partition || s.nodes < 4) return
    const up = c.upNodes()
    const groups = new Int8Array(s.nodes)
    if (s.partitionKind === 'minority') {
      for (const i of c.random.sample(up, Math.max(1, Math.floor(up.length * 0.4)))) groups[i] = 1
    } else {
      const draw = drawPartitionGroups(c.random, s.partitionKind, s.nodes)
      for (let i = 0; i < s.nodes; i++) groups[i] = draw(i)
    }
    const minority = up.filter((i) => groups[i] === 1)
    const mustReport = [0, 1].filter((side) => {
      const other = up.filter((i) => groups[i] !== side).length
      return other / up.length > 1 - c.config.partitionQuorum
    })
    c.partition(groups, mustReport)
    progress(
      `partition ${minority.length}|${up.length - minority.length} (${s.partitionKind}, ${s.partitionMode})`,
    )
    const sideDetected = (side: number): boolean =>
      up.every((i) => !c.host.isUp(i) || groups[i] !== side || c.core(i).isPartitioned)
    const detectedMs = c.runUntilTrue(() => mustReport.every(sideDetected), 10_000 * c.scale)
    c.runFor(2_000 * c.scale)
    c.heal()
    progress('healed')
    const healedMs = c.runUntilTrue(() => c.converged(), 30_000 * c.scale)
    c.measurements.partition = { detectedMs, healedMs }
  },
}
