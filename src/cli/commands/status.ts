/**
 * `meshwork status`: what a running node says about itself, as a short summary or as the API's JSON.
 */
import type { Command } from 'commander'
import type { NodeStatus } from '../../api/index.ts'
import { getStatus } from '../../api/index.ts'
import { type ApiClientFlags, addApiClientOptions } from '../api-options.ts'

export function registerStatus(program: Command): void {
  addApiClientOptions(
    program.command('status').description("show a running node's identity, state and member counts"),
  ).action(async (flags: ApiClientFlags) => {
    const status = await getStatus(flags.api, flags.token)
    process.stdout.write(flags.json ? `${JSON.stringify(status)}\n` : formatStatus(status))
  })
}

export function formatStatus(status: NodeStatus): string {
  const { alive, suspect, failed, left } = status.members
  const [firstAddress, ...otherAddresses] = status.addresses
  const lines = [
    `node          ${status.peerId}`,
    `realm         ${status.realm}`,
    `state         ${status.state}`,
    `members       ${alive} alive, ${suspect} suspect, ${failed} failed, ${left} left`,
    `incarnation   ${status.incarnation}`,
    `local health  ${status.localHealth}${status.localHealth === 0 ? ' (healthy)' : ' (degraded: probing slower)'}`,
    `uptime        ${formatDuration(status.uptimeMs)}`,
    `version       ${status.version}`,
    `addresses     ${firstAddress ?? '—'}`,
    ...otherAddresses.map((address) => `              ${address}`),
  ]
  return `${lines.join('\n')}\n`
}

/** `3 d 4 h`, `2 h 5 min`, `1 min 5 s`, `42 s`: the two largest units are enough to read. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  const units: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor(seconds / 3_600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'min'],
    [seconds % 60, 's'],
  ]
  const first = units.findIndex(([value]) => value > 0)
  if (first === -1) return '0 s'
  return units
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(' ')
}
