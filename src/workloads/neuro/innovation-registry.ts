/**
 * Historical markings (NEAT §3.2): a global counter of innovation numbers, with a per-generation memory
 * so that the same structural mutation arising in several genomes of one generation gets the same
 * number — a new connection from a to b, or the split of connection i by a new node (which then also gets
 * the same node id and the same two new connections). Without that memory, identical structures would
 * look unrelated to crossover and speciation ("innovations explosion").
 */

export interface Split {
  readonly node: number
  /** from → new node. */
  readonly inInnovation: number
  /** new node → to. */
  readonly outInnovation: number
}

export class InnovationRegistry {
  private nextInnovation: number
  private nextNode: number
  private readonly connections = new Map<string, number>()
  private readonly splits = new Map<number, Split>()

  /** Starts numbering after what the initial genomes already use. */
  constructor(firstInnovation: number, firstNode: number) {
    this.nextInnovation = firstInnovation
    this.nextNode = firstNode
  }

  /** The innovation number of a connection from → to created this generation. */
  connection(from: number, to: number): number {
    const key = `${from}>${to}`
    let innovation = this.connections.get(key)
    if (innovation === undefined) {
      innovation = this.nextInnovation++
      this.connections.set(key, innovation)
    }
    return innovation
  }

  /** The node and connections that split connection `innovation` (from → to) this generation. */
  split(innovation: number, from: number, to: number): Split {
    let split = this.splits.get(innovation)
    if (split === undefined) {
      const node = this.nextNode++
      split = { node, inInnovation: this.connection(from, node), outInnovation: this.connection(node, to) }
      this.splits.set(innovation, split)
    }
    return split
  }

  /** Forgets this generation's mutations; numbering continues. */
  nextGeneration(): void {
    this.connections.clear()
    this.splits.clear()
  }

  /** The counters, for checkpoints. */
  get counters(): { readonly nextInnovation: number; readonly nextNode: number } {
    return { nextInnovation: this.nextInnovation, nextNode: this.nextNode }
  }
}
