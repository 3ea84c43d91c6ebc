/**
 * Per-member round-trip estimate for adaptive probe timeouts, after TCP's retransmission timer
 * (RFC 6298): smoothed RTT and RTT variance with gains 1/8 and 1/4; timeout = srtt + 4 · rttvar, clamped.
 * memberlist uses one fixed ProbeTimeout for every peer; measuring each link lets a LAN probe time out
 * in tens of milliseconds and a WAN probe wait as long as that path needs.
 */
export interface RoundTrip {
  srttMs: number
  rttVarMs: number
}

export function newRoundTrip(): RoundTrip {
  return { srttMs: -1, rttVarMs: 0 }
}

export function recordRoundTrip(estimate: RoundTrip, sampleMs: number): void {
  if (estimate.srttMs < 0) {
    estimate.srttMs = sampleMs
    estimate.rttVarMs = sampleMs / 2
    return
  }
  estimate.rttVarMs = 0.75 * estimate.rttVarMs + 0.25 * Math.abs(estimate.srttMs - sampleMs)
  estimate.srttMs = 0.875 * estimate.srttMs + 0.125 * sampleMs
}

export function probeTimeoutMs(estimate: RoundTrip, minMs: number, maxMs: number): number {
  if (estimate.srttMs < 0) return maxMs
  return Math.min(maxMs, Math.max(minMs, estimate.srttMs + 4 * estimate.rttVarMs))
}
