/**
 * The network file: a NEAT genome as a documented JSON document (docs/formats/network.md) that a third
 * party can evaluate without Meshwork, and that imports back into exactly the same genome. Import checks
 * everything and names the JSON path of the first problem, so a hand-edited or truncated file fails with
 * a message saying what to fix instead of evaluating to nonsense.
 */
import {
  ACTIVATIONS,
  type Activation,
  type ConnectionGene,
  type Genome,
  genomeProblem,
  type NodeGene,
  type NodeKind,
} from './genome.ts'
import { DOUBLE_POLE } from './tasks/double-pole.ts'
import { createTask, isTaskName } from './tasks/index.ts'

export const NETWORK_FORMAT = 'meshwork-neat-network'
export const NETWORK_FORMAT_VERSION = 1

/** What a file says about the network besides its graph. */
export interface NetworkMeta {
  /** The task it was evolved for; the built-in ones fix the input and output mappings. */
  readonly task?: string
  /** Which activation semantics apply (docs/formats/network.md). */
  readonly recurrent: boolean
  readonly fitness?: number
  /** The long pole's start angle of a dpv or dpnv run, rad. */
  readonly initialAngleRad?: number
  readonly seed?: number
  readonly generation?: number
}

export interface NetworkDocument extends NetworkMeta {
  readonly format: typeof NETWORK_FORMAT
  readonly version: typeof NETWORK_FORMAT_VERSION
  /** Ids of the input and bias nodes, ascending: the order in which they take the input vector. */
  readonly inputs: readonly number[]
  /** Ids of the output nodes, ascending: the order of the output vector. */
  readonly outputs: readonly number[]
  readonly nodes: readonly NodeGene[]
  /** Disabled connections included (evaluators ignore them), so import gives back the same genome. */
  readonly connections: readonly ConnectionGene[]
}

export interface ImportedNetwork extends NetworkMeta {
  readonly genome: Genome
}

/** A network file that cannot be read; the message starts with the JSON path of the problem. */
export class NetworkFormatError extends Error {
  override readonly name = 'NetworkFormatError'
}

const NODE_KINDS: readonly NodeKind[] = ['input', 'bias', 'hidden', 'output']
const META_FIELDS = ['task', 'fitness', 'initialAngleRad', 'seed', 'generation'] as const

export function exportNetwork(genome: Genome, meta: NetworkMeta): NetworkDocument {
  const document: NetworkDocument = {
    format: NETWORK_FORMAT,
    version: NETWORK_FORMAT_VERSION,
    ...(meta.task === undefined ? {} : { task: meta.task }),
    recurrent: meta.recurrent,
    ...(meta.initialAngleRad === undefined ? {} : { initialAngleRad: meta.initialAngleRad }),
    ...(meta.seed === undefined ? {} : { seed: meta.seed }),
    ...(meta.generation === undefined ? {} : { generation: meta.generation }),
    ...(meta.fitness === undefined ? {} : { fitness: meta.fitness }),
    inputs: genome.nodes.filter((n) => n.kind === 'input' || n.kind === 'bias').map((n) => n.id),
    outputs: genome.nodes.filter((n) => n.kind === 'output').map((n) => n.id),
    nodes: genome.nodes.map(({ id, kind, activation, bias }) => ({ id, kind, activation, bias })),
    connections: genome.connections.map(({ innovation, from, to, weight, enabled }) => ({
      innovation,
      from,
      to,
      weight,
      enabled,
    })),
  }
  // never write a file that import would refuse
  try {
    importNetwork(document)
  } catch (error) {
    if (error instanceof NetworkFormatError)
      throw new RangeError(`cannot export this network: ${error.message}`)
    throw error
  }
  return document
}

/** `text` parsed as JSON and imported; a NetworkFormatError if it is not valid JSON or not a network. */
export function parseNetworkFile(text: string): ImportedNetwork {
  if (text.trim() === '') throw new NetworkFormatError('(file): empty, expected a JSON network document')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new NetworkFormatError(`(file): not valid JSON (truncated?): ${message}`)
  }
  return importNetwork(json)
}

/** The genome and metadata of a network document, checked completely; throws NetworkFormatError. */
export function importNetwork(json: unknown): ImportedNetwork {
  const doc = objectAt(json, '(document)')
  if (!Object.hasOwn(doc, 'format')) {
    fail('format', `missing: this is not a Meshwork network file (expected format '${NETWORK_FORMAT}')`)
  }
  if (doc.format !== NETWORK_FORMAT) fail('format', `expected '${NETWORK_FORMAT}', got ${show(doc.format)}`)
  const version = integerAt(doc, 'version', '')
  if (version > NETWORK_FORMAT_VERSION) {
    fail('version', `${version} is newer than this Meshwork reads (${NETWORK_FORMAT_VERSION})`)
  }
  if (version !== NETWORK_FORMAT_VERSION)
    fail('version', `expected ${NETWORK_FORMAT_VERSION}, got ${version}`)
  checkFields(
    doc,
    '',
    ['format', 'version', 'recurrent', 'inputs', 'outputs', 'nodes', 'connections'],
    META_FIELDS,
  )

  const recurrent = booleanAt(doc, 'recurrent', '')
  const nodes = readNodes(doc)
  const connections = readConnections(doc, nodes, recurrent)
  const genome: Genome = { nodes, connections }
  const inputIds = nodes.filter((n) => n.kind === 'input' || n.kind === 'bias').map((n) => n.id)
  const outputIds = nodes.filter((n) => n.kind === 'output').map((n) => n.id)
  checkIdList(doc, 'inputs', inputIds, 'the ids of the input and bias nodes, ascending')
  checkIdList(doc, 'outputs', outputIds, 'the ids of the output nodes, ascending')

  const meta = readMeta(doc)
  if (meta.task !== undefined && isTaskName(meta.task)) {
    const task = createTask(meta.task)
    if (inputIds.length !== task.inputs) {
      fail(
        'inputs',
        `task '${task.name}' takes ${task.inputs} inputs (bias included), got ${inputIds.length}`,
      )
    }
    if (outputIds.length !== task.outputs) {
      fail('outputs', `task '${task.name}' takes ${task.outputs} output(s), got ${outputIds.length}`)
    }
    if (recurrent !== task.recurrent) {
      fail('recurrent', `task '${task.name}' networks have recurrent: ${task.recurrent}, got ${recurrent}`)
    }
  }
  // the genome's own check, as a backstop behind the path-naming checks above
  const problem = genomeProblem(genome, { recurrent })
  if (problem !== undefined) fail('(network)', problem)
  return { genome, recurrent, ...meta }
}

function readNodes(doc: Record<string, unknown>): NodeGene[] {
  const list = arrayAt(doc, 'nodes', '')
  const nodes: NodeGene[] = []
  let firstBias: number | undefined
  list.forEach((value, i) => {
    const path = `nodes[${i}]`
    const raw = objectAt(value, path)
    checkFields(raw, path, ['id', 'kind', 'activation', 'bias'], [])
    const id = integerAt(raw, 'id', path)
    const previous = nodes[nodes.length - 1]
    if (previous !== undefined && id <= previous.id) {
      fail(`${path}.id`, `node ids must be unique and ascending; ${id} follows ${previous.id}`)
    }
    const kind = stringAt(raw, 'kind', path)
    if (!(NODE_KINDS as readonly string[]).includes(kind)) {
      fail(`${path}.kind`, `unknown kind '${kind}' (known: ${NODE_KINDS.join(', ')})`)
    }
    if (kind === 'bias' && firstBias !== undefined) {
      fail(`${path}.kind`, `a second bias node (node ${firstBias} is the bias)`)
    }
    if (kind === 'bias') firstBias = id
    if (kind === 'input' && firstBias !== undefined) {
      fail(`${path}.kind`, `input node ${id} follows bias node ${firstBias}; the bias must be the last input`)
    }
    const activation = stringAt(raw, 'activation', path)
    if (!Object.hasOwn(ACTIVATIONS, activation)) {
      fail(
        `${path}.activation`,
        `unknown activation '${activation}' (known: ${Object.keys(ACTIVATIONS).join(', ')})`,
      )
    }
    const bias = finiteAt(raw, 'bias', path)
    nodes.push({ id, kind: kind as NodeKind, activation: activation as Activation, bias })
  })
  if (!nodes.some((n) => n.kind === 'output')) fail('nodes', 'no output node')
  return nodes
}

function readConnections(
  doc: Record<string, unknown>,
  nodes: NodeGene[],
  recurrent: boolean,
): ConnectionGene[] {
  const kinds = new Map(nodes.map((n) => [n.id, n.kind]))
  const list = arrayAt(doc, 'connections', '')
  const connections: ConnectionGene[] = []
  const pairs = new Map<string, number>()
  list.forEach((value, i) => {
    const path = `connections[${i}]`
    const raw = objectAt(value, path)
    checkFields(raw, path, ['innovation', 'from', 'to', 'weight', 'enabled'], [])
    const innovation = integerAt(raw, 'innovation', path)
    const previous = connections[connections.length - 1]
    if (previous !== undefined && innovation <= previous.innovation) {
      fail(
        `${path}.innovation`,
        `innovation numbers must be unique and ascending; ${innovation} follows ${previous.innovation}`,
      )
    }
    const from = integerAt(raw, 'from', path)
    if (!kinds.has(from)) fail(`${path}.from`, `no node has id ${from}`)
    const to = integerAt(raw, 'to', path)
    const target = kinds.get(to)
    if (target === undefined) fail(`${path}.to`, `no node has id ${to}`)
    if (target === 'input' || target === 'bias') {
      fail(`${path}.to`, `leads into ${target} node ${to} (input and bias nodes take no connections)`)
    }
    const weight = finiteAt(raw, 'weight', path)
    const enabled = booleanAt(raw, 'enabled', path)
    const pair = `${from}>${to}`
    const first = pairs.get(pair)
    if (first !== undefined)
      fail(path, `a second connection from ${from} to ${to} (the first is connections[${first}])`)
    pairs.set(pair, i)
    connections.push({ innovation, from, to, weight, enabled })
  })
  if (!recurrent) {
    const cycle = findCycle(connections)
    if (cycle !== undefined) {
      fail(
        'connections',
        `recurrent is false but the connections (enabled or not) form a cycle ${cycle.join(' → ')}`,
      )
    }
  }
  return connections
}

function readMeta(doc: Record<string, unknown>): Omit<NetworkMeta, 'recurrent'> {
  let task: string | undefined
  if (Object.hasOwn(doc, 'task')) {
    task = stringAt(doc, 'task', '')
    if (task === '') fail('task', 'empty (leave the field out when there is no task)')
  }
  const fitness = Object.hasOwn(doc, 'fitness') ? finiteAt(doc, 'fitness', '') : undefined
  const angle = Object.hasOwn(doc, 'initialAngleRad') ? finiteAt(doc, 'initialAngleRad', '') : undefined
  if (angle !== undefined && Math.abs(angle) >= DOUBLE_POLE.failureAngle) {
    fail(
      'initialAngleRad',
      `must be inside ±${DOUBLE_POLE.failureAngle} rad (the failure angle), got ${angle}`,
    )
  }
  const seed = Object.hasOwn(doc, 'seed') ? integerAt(doc, 'seed', '') : undefined
  const generation = Object.hasOwn(doc, 'generation') ? integerAt(doc, 'generation', '') : undefined
  if (generation !== undefined && generation < 0) fail('generation', `must be ≥ 0, got ${generation}`)
  return {
    ...(task === undefined ? {} : { task }),
    ...(fitness === undefined ? {} : { fitness }),
    ...(angle === undefined ? {} : { initialAngleRad: angle }),
    ...(seed === undefined ? {} : { seed }),
    ...(generation === undefined ? {} : { generation }),
  }
}

function checkIdList(doc: Record<string, unknown>, key: string, expected: number[], what: string): void {
  const list = arrayAt(doc, key, '')
  list.forEach((id, i) => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id))
      fail(`${key}[${i}]`, `expected an integer, got ${show(id)}`)
  })
  const same = list.length === expected.length && list.every((id, i) => id === expected[i])
  if (!same) fail(key, `expected [${expected.join(', ')}] (${what}), got [${list.join(', ')}]`)
}

/** One cycle among `connections` as node ids (first id repeated at the end), or undefined. */
function findCycle(connections: readonly ConnectionGene[]): number[] | undefined {
  const outgoing = new Map<number, number[]>()
  for (const { from, to } of connections) outgoing.set(from, [...(outgoing.get(from) ?? []), to])
  const state = new Map<number, 'visiting' | 'done'>()
  const path: number[] = []
  const visit = (node: number): number[] | undefined => {
    const seen = state.get(node)
    if (seen === 'visiting') return [...path.slice(path.indexOf(node)), node]
    if (seen === 'done') return undefined
    state.set(node, 'visiting')
    path.push(node)
    for (const next of outgoing.get(node) ?? []) {
      const cycle = visit(next)
      if (cycle !== undefined) return cycle
    }
    path.pop()
    state.set(node, 'done')
    return undefined
  }
  for (const from of outgoing.keys()) {
    const cycle = visit(from)
    if (cycle !== undefined) return cycle
  }
  return undefined
}

function fail(path: string, problem: string): never {
  throw new NetworkFormatError(`${path}: ${problem}`)
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string')
    return `a string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path, `expected an object, got ${show(value)}`)
  }
  return value as Record<string, unknown>
}

function checkFields(
  raw: Record<string, unknown>,
  path: string,
  required: readonly string[],
  optional: readonly string[],
): void {
  for (const key of required) if (!Object.hasOwn(raw, key)) fail(join(path, key), 'missing (required)')
  for (const key of Object.keys(raw)) {
    if (!required.includes(key) && !optional.includes(key)) {
      fail(join(path, key), `unknown field (expected ${[...required, ...optional].join(', ')})`)
    }
  }
}

function valueAt(raw: Record<string, unknown>, key: string, path: string): unknown {
  if (!Object.hasOwn(raw, key)) fail(join(path, key), 'missing (required)')
  return raw[key]
}

function arrayAt(raw: Record<string, unknown>, key: string, path: string): unknown[] {
  const value = valueAt(raw, key, path)
  if (!Array.isArray(value)) fail(join(path, key), `expected an array, got ${show(value)}`)
  return value
}

function stringAt(raw: Record<string, unknown>, key: string, path: string): string {
  const value = valueAt(raw, key, path)
  if (typeof value !== 'string') fail(join(path, key), `expected a string, got ${show(value)}`)
  return value
}

function booleanAt(raw: Record<string, unknown>, key: string, path: string): boolean {
  const value = valueAt(raw, key, path)
  if (typeof value !== 'boolean') fail(join(path, key), `expected true or false, got ${show(value)}`)
  return value
}

function finiteAt(raw: Record<string, unknown>, key: string, path: string): number {
  const value = valueAt(raw, key, path)
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(join(path, key), `expected a finite number, got ${show(value)}`)
  }
  return value
}

function integerAt(raw: Record<string, unknown>, key: string, path: string): number {
  const value = valueAt(raw, key, path)
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    fail(join(path, key), `expected an integer, got ${show(value)}`)
  }
  return value
}
