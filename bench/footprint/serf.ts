/**
 * The footprint benchmark's Serf side: `serf agent` processes with memberlist's LAN defaults (Serf's
 * default profile), each with its own gossip and RPC port on 127.0.0.1, joined through node 0. Views
 * and failure reports are read from each agent's log as it is written (`serf: EventMemberJoin: s3 …`,
 * `EventMemberFailed`, `EventMemberLeave`), so watching costs the agents nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { FailureReport, SystemDriver } from './harness.ts'
import { sleep } from './proc.ts'

const EVENT = /serf: EventMember(Join|Failed|Leave|Reap): (s\d+) /

export function serfDriver(nodes: number, basePort: number): SystemDriver {
  const agents: (ChildProcess | undefined)[] = []
  /** What each agent's log says it holds alive. */
  const views: Set<number>[] = Array.from({ length: nodes }, () => new Set())
  let reports: FailureReport[] | undefined
  const gossipPort = (index: number): number => basePort + index
  const spawnAgent = (index: number): void => {
    views[index] = new Set()
    const agent = spawn(
      'serf',
      [
        'agent',
        `-node=s${index}`,
        `-bind=127.0.0.1:${gossipPort(index)}`,
        `-rpc-addr=127.0.0.1:${basePort + 1_000 + index}`,
        '-log-level=info',
        ...(index === 0 ? [] : [`-retry-join=127.0.0.1:${gossipPort(0)}`, '-retry-interval=1s']),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    agents[index] = agent
    const lines = createInterface({ input: agent.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      const match = EVENT.exec(line)
      if (match === null) return
      const subject = Number((match[2] as string).slice(1))
      const view = views[index] as Set<number>
      if (match[1] === 'Join') view.add(subject)
      else view.delete(subject)
      if (match[1] !== 'Join' && match[1] !== 'Reap')
        reports?.push({ observer: index, subject, at: performance.now() })
    })
  }
  const running = (index: number): boolean => {
    const agent = agents[index]
    return agent !== undefined && agent.exitCode === null && agent.signalCode === null
  }
  const converged = async (limitMs: number): Promise<void> => {
    const end = performance.now() + limitMs
    while (!views.every((view, index) => !running(index) || view.size === nodes)) {
      if (performance.now() > end) throw new Error(`serf did not converge within ${limitMs} ms`)
      await sleep(5)
    }
  }
  return {
    nodes,
    async up() {
      for (let index = 0; index < nodes; index++) spawnAgent(index)
      await converged(60_000)
    },
    pid(index) {
      const pid = agents[index]?.pid
      if (pid === undefined) throw new Error(`agent ${index} has no process`)
      return pid
    },
    async watch(sink) {
      reports = sink
    },
    converged,
    async restart(index) {
      const agent = agents[index]
      if (agent !== undefined && running(index)) await new Promise((resolve) => agent.once('exit', resolve))
      spawnAgent(index)
    },
    async down() {
      for (const agent of agents) agent?.kill('SIGKILL')
      await Promise.all(
        agents.map((agent, index) =>
          agent === undefined || !running(index)
            ? undefined
            : new Promise((resolve) => agent.once('exit', resolve)),
        ),
      )
    },
  }
}
