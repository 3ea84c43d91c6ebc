import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Random } from '../../kernel/index.ts'
import type { Genome, NodeGene } from './genome.ts'
import { compileNetwork } from './network.ts'
import {
  exportNetwork,
  importNetwork,
  NETWORK_FORMAT,
  type NetworkDocument,
  NetworkFormatError,
  parseNetworkFile,
} from './network-format.ts'
import { scoreXor } from './tasks/xor.ts'
import { connectionGene, nodeGene } from './testing/genes.ts'

const node = nodeGene
const link = connectionGene

/** dpv-shaped: 6 inputs, bias 6, output 7, hidden 8–10, a disabled connection. */
const feedForward: Genome = {
  nodes: [
    ...[0, 1, 2, 3, 4, 5].map((id) => node(id, 'input', 'identity')),
    node(6, 'bias', 'identity'),
    node(7, 'output', 'steepened-sigmoid', -0.25),
    node(8, 'hidden', 'tanh', 0.1),
    node(9, 'hidden', 'relu', -0.3),
    node(10, 'hidden', 'sigmoid', 0.7),
  ],
  connections: [
    link(0, 0, 7, 0.5),
    link(1, 1, 7, -1.2, false),
    link(2, 2, 8, 2.3),
    link(3, 8, 7, -0.9),
    link(4, 3, 9, 1.7),
    link(5, 9, 10, 0.6),
    link(6, 10, 7, 1.1),
    link(7, 8, 9, -0.4),
    link(8, 6, 10, 0.8),
    link(9, 4, 8, 0.35),
    link(10, 5, 10, -1.5),
  ],
}

/** dpnv-shaped: 3 inputs, bias 3, output 4, hidden 5 and 6 with self-loops and a loop between them. */
const recurrent: Genome = {
  nodes: [
    node(0, 'input', 'identity'),
    node(1, 'input', 'identity'),
    node(2, 'input', 'identity'),
    node(3, 'bias', 'identity'),
    node(4, 'output', 'steepened-sigmoid', 0.05),
    node(5, 'hidden', 'tanh', -0.2),
    node(6, 'hidden', 'steepened-sigmoid', 0.3),
  ],
  connections: [
    link(0, 0, 5, 1.3),
    link(1, 1, 5, -0.7),
    link(2, 5, 4, 0.9),
    link(3, 5, 5, 0.45),
    link(4, 2, 6, 1.1, false),
    link(5, 6, 5, -0.8),
    link(6, 5, 6, 0.6),
    link(7, 4, 6, 0.25),
    link(8, 3, 4, -0.5),
    link(9, 6, 6, 0.15),
    link(10, 2, 4, 0.75),
  ],
}

/** The doc's semantics, written again from the doc (not from network.ts): evaluation by sweeps. */
function independentEvaluator(doc: NetworkDocument): (inputs: number[]) => number[] {
  const f: Record<string, (x: number) => number> = {
    'steepened-sigmoid': (x) => 1 / (1 + Math.exp(-4.9 * x)),
    sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    tanh: Math.tanh,
    relu: (x) => Math.max(0, x),
    identity: (x) => x,
  }
  const live = doc.connections.filter((c) => c.enabled)
  const inner = doc.nodes.filter((n) => n.kind === 'hidden' || n.kind === 'output')
  const sum = (n: NodeGene, read: (id: number) => number): number =>
    live.filter((c) => c.to === n.id).reduce((s, c) => s + c.weight * read(c.from), n.bias)
  let state: Record<number, number> = {}
  return (inputs) => {
    const now: Record<number, number> = {}
    doc.inputs.forEach((id, i) => {
      now[id] = inputs[i] as number
    })
    if (doc.recurrent) {
      const next: Record<number, number> = {}
      for (const n of inner)
        next[n.id] = (f[n.activation] as (x: number) => number)(sum(n, (id) => now[id] ?? state[id] ?? 0))
      state = next
      return doc.outputs.map((id) => next[id] as number)
    }
    // feed-forward: sweep until every node whose sources are known is computed
    while (inner.some((n) => !(n.id in now))) {
      for (const n of inner) {
        if (n.id in now || live.some((c) => c.to === n.id && !(c.from in now))) continue
        now[n.id] = (f[n.activation] as (x: number) => number)(sum(n, (id) => now[id] as number))
      }
    }
    return doc.outputs.map((id) => now[id] as number)
  }
}

/** The `createEvaluator` printed in docs/formats/network.md, run as a third party would run it. */
function docEvaluator(doc: NetworkDocument): { activate(inputs: number[]): number[]; reset(): void } {
  const markdown = readFileSync(new URL('../../../docs/formats/network.md', import.meta.url), 'utf8')
  const code = /```js\n([\s\S]*?function createEvaluator[\s\S]*?)```/.exec(markdown)?.[1]
  assert.ok(code, 'the doc prints createEvaluator in a js block')
  return new Function(`${code}\nreturn createEvaluator`)()(doc)
}

function randomInputs(random: Random, count: number): number[] {
  return [...Array.from({ length: count - 1 }, () => random.floatBetween(-2, 2)), 0.5]
}

function expectError(action: () => unknown, pattern: RegExp): void {
  assert.throws(
    action,
    (error: unknown) => {
      assert.ok(error instanceof NetworkFormatError, `expected a NetworkFormatError, got ${String(error)}`)
      assert.equal(error.name, 'NetworkFormatError')
      assert.match(error.message, pattern)
      return true
    },
    `expected a NetworkFormatError matching ${pattern}`,
  )
}

type Item = Record<string, unknown>
interface Editable extends Item {
  nodes: Item[]
  connections: Item[]
}

/** A valid exported document as plain JSON, changed by `edit`. */
function edited(genome: Genome, isRecurrent: boolean, edit: (doc: Editable) => void): unknown {
  const doc = JSON.parse(JSON.stringify(exportNetwork(genome, { recurrent: isRecurrent }))) as Editable
  edit(doc)
  return doc
}

/** `feedForward`'s document with the field at `path` set to `value`, or deleted if `value` is undefined. */
function changed(path: readonly (string | number)[], value: unknown): unknown {
  return edited(feedForward, false, (doc) => {
    let parent: Item = doc
    for (const key of path.slice(0, -1)) parent = parent[key] as Item
    const last = String(path[path.length - 1])
    if (value === undefined) delete parent[last]
    else parent[last] = value
  })
}

describe('network files', () => {
  it('import gives back the exported genome and metadata, through JSON text too', () => {
    const meta = {
      task: 'dpv',
      recurrent: false,
      fitness: 1234.5,
      initialAngleRad: 0.07,
      seed: 42,
      generation: 17,
    }
    const doc = exportNetwork(feedForward, meta)
    assert.equal(doc.format, NETWORK_FORMAT)
    assert.deepEqual(doc.inputs, [0, 1, 2, 3, 4, 5, 6])
    assert.deepEqual(doc.outputs, [7])
    assert.deepEqual(importNetwork(doc), { genome: feedForward, ...meta })
    assert.deepEqual(parseNetworkFile(JSON.stringify(doc, null, 2)), { genome: feedForward, ...meta })
    const back = parseNetworkFile(JSON.stringify(exportNetwork(recurrent, { task: 'dpnv', recurrent: true })))
    assert.deepEqual(back, { genome: recurrent, task: 'dpnv', recurrent: true })
    assert.equal(back.genome.connections.filter((c) => !c.enabled).length, 1)
  })

  it('refuses to export a network that import would refuse', () => {
    assert.throws(() => exportNetwork(recurrent, { task: 'dpnv', recurrent: false }), /cannot export.*cycle/)
    assert.throws(() => exportNetwork(feedForward, { task: 'cartpole', recurrent: false }), /takes 5 inputs/)
  })

  it('evaluated as the doc describes, without compileNetwork, gives exactly compileNetwork’s outputs', () => {
    const random = new Random('network-format')
    for (const [genome, isRecurrent] of [
      [feedForward, false],
      [recurrent, true],
    ] as const) {
      const doc = JSON.parse(
        JSON.stringify(exportNetwork(genome, { recurrent: isRecurrent })),
      ) as NetworkDocument
      const network = compileNetwork(genome, { recurrent: isRecurrent })
      const independent = independentEvaluator(doc)
      const printed = docEvaluator(doc)
      for (let step = 0; step < 50; step++) {
        const inputs = randomInputs(random, doc.inputs.length)
        const expected = [...network.activate(inputs)]
        assert.deepEqual(independent(inputs), expected, `independent evaluator, step ${step}`)
        assert.deepEqual(printed.activate(inputs), expected, `the doc's evaluator, step ${step}`)
      }
      network.reset()
      printed.reset()
      const inputs = randomInputs(random, doc.inputs.length)
      assert.deepEqual(printed.activate(inputs), [...network.activate(inputs)], 'after reset')
    }
  })

  it('reads the doc’s example, which solves XOR', () => {
    const markdown = readFileSync(new URL('../../../docs/formats/network.md', import.meta.url), 'utf8')
    const json = /```json\n([\s\S]*?)```/.exec(markdown)?.[1] ?? ''
    const { genome, recurrent: isRecurrent, task, fitness } = parseNetworkFile(json)
    assert.equal(task, 'xor')
    const network = compileNetwork(genome, { recurrent: isRecurrent })
    const score = scoreXor((inputs) => network.activate(inputs)[0] as number)
    assert.equal(score.solved, true)
    assert.equal(score.fitness, fitness)
    assert.deepEqual(docEvaluator(JSON.parse(json)).activate([1, 0, 1]), [1])
  })

  it('names the problem in an invalid or truncated file', () => {
    const text = JSON.stringify(exportNetwork(feedForward, { recurrent: false }))
    expectError(() => parseNetworkFile(text.slice(0, 200)), /^\(file\): not valid JSON \(truncated\?\): /)
    expectError(() => parseNetworkFile(''), /empty/)
    expectError(() => importNetwork([]), /^\(document\): expected an object, got an array/)
    expectError(() => importNetwork({ nodes: [] }), /^format: missing/)
    const cases: [readonly (string | number)[], unknown, RegExp][] = [
      [['format'], 'neat-python', /^format: expected 'meshwork-neat-network', got a string "neat-python"/],
      [['version'], 2, /^version: 2 is newer than this Meshwork reads \(1\)/],
      [['version'], 0, /^version: expected 1, got 0/],
      [['nodes'], undefined, /^nodes: missing \(required\)/],
      [['nodes'], {}, /^nodes: expected an array, got an object/],
      [
        ['nodes', 9, 'activation'],
        'foo',
        /^nodes\[9\]\.activation: unknown activation 'foo' \(known: steepened-sigmoid/,
      ],
      [
        ['nodes', 9, 'activation'],
        'constructor',
        /^nodes\[9\]\.activation: unknown activation 'constructor'/,
      ],
      [['connections', 3, 'to'], 99, /^connections\[3\]\.to: no node has id 99/],
      [['connections', 3, 'from'], 99, /^connections\[3\]\.from: no node has id 99/],
      [['connections', 2, 'weight'], null, /^connections\[2\]\.weight: expected a finite number, got null/],
      [
        ['connections', 2, 'weight'],
        'NaN',
        /^connections\[2\]\.weight: expected a finite number, got a string "NaN"/,
      ],
      [['connections', 2, 'weight'], undefined, /^connections\[2\]\.weight: missing \(required\)/],
    ]
    for (const [path, value, pattern] of cases)
      expectError(() => importNetwork(changed(path, value)), pattern)
    const cyclic = edited(feedForward, false, (doc) => {
      doc.connections.push({ innovation: 11, from: 10, to: 9, weight: 1, enabled: false })
    })
    expectError(
      () => importNetwork(cyclic),
      /^connections: recurrent is false but the connections \(enabled or not\) form a cycle 9 → 10 → 9/,
    )
    expectError(() => parseNetworkFile(JSON.stringify(cyclic)), /cycle 9 → 10 → 9/)
  })

  it('names structural and metadata problems', () => {
    const cases: [readonly (string | number)[], unknown, RegExp][] = [
      [['connections', 0, 'to'], 6, /^connections\[0\]\.to: leads into bias node 6/],
      [
        ['connections', 1, 'from'],
        0,
        /^connections\[1\]: a second connection from 0 to 7 \(the first is connections\[0\]\)/,
      ],
      [
        ['connections', 0, 'enabled'],
        'yes',
        /^connections\[0\]\.enabled: expected true or false, got a string "yes"/,
      ],
      [
        ['connections', 0, 'innovation'],
        1.5,
        /^connections\[0\]\.innovation: expected an integer, got number 1.5/,
      ],
      [['nodes', 2, 'kind'], 'neuron', /^nodes\[2\]\.kind: unknown kind 'neuron'/],
      [['nodes', 0, 'bias'], '0', /^nodes\[0\]\.bias: expected a finite number, got a string "0"/],
      [['nodes', 0, 'enabled'], true, /^nodes\[0\]\.enabled: unknown field/],
      [['nodes', 7, 'kind'], 'hidden', /^nodes: no output node/],
      [['nodes', 5, 'kind'], 'bias', /^nodes\[6\]\.kind: a second bias node \(node 5 is the bias\)/],
      [
        ['inputs'],
        [0, 1, 2],
        /^inputs: expected \[0, 1, 2, 3, 4, 5, 6\] \(the ids of the input and bias nodes/,
      ],
      [['outputs'], [7, 8], /^outputs: expected \[7\]/],
      [['task'], 'cartpole', /^inputs: task 'cartpole' takes 5 inputs \(bias included\), got 7/],
      [['task'], 'dpnv', /^inputs: task 'dpnv' takes 4 inputs/],
      [['task'], '', /^task: empty/],
      [['initialAngle'], 0.07, /^initialAngle: unknown field/],
      [['initialAngleRad'], 0.7, /^initialAngleRad: must be inside ±0.628329 rad/],
      [['generation'], -1, /^generation: must be ≥ 0/],
      [['seed'], '7', /^seed: expected an integer, got a string "7"/],
      [['recurrent'], 'no', /^recurrent: expected true or false/],
    ]
    for (const [path, value, pattern] of cases)
      expectError(() => importNetwork(changed(path, value)), pattern)
    expectError(
      () => importNetwork(edited(feedForward, false, (doc) => doc.nodes.reverse())),
      /^nodes\[1\]\.id: node ids must be unique and ascending; 9 follows 10/,
    )
    const biasFirst = edited(feedForward, false, (doc) => {
      doc.nodes[0] = { ...doc.nodes[0], kind: 'bias' }
      doc.nodes[6] = { ...doc.nodes[6], kind: 'input' }
    })
    expectError(
      () => importNetwork(biasFirst),
      /^nodes\[1\]\.kind: input node 1 follows bias node 0; the bias must be the last input/,
    )
    const swapped = edited(feedForward, false, (doc) => {
      doc.connections.splice(0, 2, doc.connections[1] as Item, doc.connections[0] as Item)
    })
    expectError(
      () => importNetwork(swapped),
      /^connections\[1\]\.innovation: innovation numbers must be unique and ascending; 0 follows 1/,
    )
    const recurrentDpv = edited(recurrent, true, (doc) => {
      doc.task = 'dpv'
    })
    expectError(() => importNetwork(recurrentDpv), /^inputs: task 'dpv' takes 7 inputs/)
    const feedForwardDpnv = edited(recurrent, true, (doc) => {
      doc.task = 'dpnv'
      doc.recurrent = false
    })
    expectError(() => importNetwork(feedForwardDpnv), /cycle/)
    const acyclicDpnv = edited(recurrent, true, (doc) => {
      doc.task = 'dpnv'
      doc.recurrent = false
      doc.connections = doc.connections.filter((c) =>
        [0, 1, 2, 4, 6, 7, 8, 10].includes(c.innovation as number),
      )
    })
    expectError(
      () => importNetwork(acyclicDpnv),
      /^recurrent: task 'dpnv' networks have recurrent: true, got false/,
    )
    assert.equal((importNetwork(changed(['task'], 'dpv')) as { task?: string }).task, 'dpv')
    assert.equal(importNetwork(changed(['task'], 'my-robot')).task, 'my-robot')
  })
})
