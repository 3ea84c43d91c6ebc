/**
 * `meshwork members`: the members a running node knows, as a table (itself first, then by state) or as
 * the API's JSON.
 */
import type { Command } from 'commander'
import { getMembers, type MembersView, type MemberView, shortPeerId } from '../../api/index.ts'
import { type ApiClientFlags, addApiClientOptions } from '../api-options.ts'

const STATE_ORDER = ['alive', 'suspect', 'failed', 'left'] as const

export function registerMembers(program: Command): void {
  addApiClientOptions(
    program
      .command('members')
      .description('list the members a running node knows: state, incarnation, profile, rtt'),
  ).action(async (flags: ApiClientFlags) => {
    const view = await getMembers(flags.api, flags.token)
    process.stdout.write(flags.json ? `${JSON.stringify(view)}\n` : formatMembersTable(view))
  })
}

export function formatMembersTable(view: MembersView): string {
  const members = [...view.members].sort(
    (a, b) =>
      Number(b.peerId === view.self) - Number(a.peerId === view.self) ||
      STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) ||
      a.peerId.localeCompare(b.peerId),
  )
  const rows = [
    ['PEER ID', 'STATE', 'INCARNATION', 'LABELS', 'REGION', 'RTT'],
    ...members.map((member) => row(member, member.peerId === view.self)),
  ]
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length))) ?? []
  const lines = rows.map((cells) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  )
  const counts = STATE_ORDER.map((state) => [state, members.filter((m) => m.state === state).length] as const)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state}`)
  lines.push('', `${members.length} members${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`)
  return `${lines.join('\n')}\n`
}

function row(member: MemberView, self: boolean): string[] {
  const { labels, region, hidden } = member.profile
  return [
    `${shortPeerId(member.peerId)}${self ? ' (self)' : ''}`,
    member.state,
    String(member.incarnation),
    [...labels, ...(hidden ? ['(hidden)'] : [])].join(',') || '—',
    region || '—',
    member.rttMs === undefined ? '—' : formatRtt(member.rttMs),
  ]
}

function formatRtt(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`
}
