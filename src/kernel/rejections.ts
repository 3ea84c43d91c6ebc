/**
 * Counts rejected input by reason. Remote input never throws; it is dropped and counted here, and the
 * counts surface in metrics and benchmark reports. The set of reasons is a closed union, so the map is
 * bounded by construction.
 */
export class RejectionCounter<Reason extends string = string> {
  private readonly counts = new Map<Reason, number>()
  private totalCount = 0

  add(reason: Reason, count = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + count)
    this.totalCount += count
  }

  get total(): number {
    return this.totalCount
  }

  get(reason: Reason): number {
    return this.counts.get(reason) ?? 0
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  }
}
