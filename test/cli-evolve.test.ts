/**
 * `meshwork evolve` as a user runs it: a child process per case, bounded in time, files in a temporary
 * directory that is removed afterwards.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { parseNetworkFile } from '../src/workloads/neuro/network-format.ts'

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname
const run = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, 'evolve', ...args], { encoding: 'utf8', timeout: 120_000 })
const dir = mkdtempSync(join(tmpdir(), 'meshwork-evolve-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('meshwork evolve refusals before any work', () => {
  it('checks --export and --checkpoint paths first: a missing directory, a directory, a file where a directory should be', () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, '')
    for (const flag of ['--export', '--checkpoint']) {
      for (const [path, reason] of [
        [join(dir, 'missing', 'x.json'), `the directory ${join(dir, 'missing')} does not exist`],
        [dir, 'it is a directory'],
        [join(file, 'x.json'), `${file} is not a directory`],
      ] as const) {
        const started = performance.now()
        // 100 DPNV runs would take many minutes: the refusal must come before the first of them
        const result = run('dpnv', '--runs', '100', '--quiet', flag, path)
        assert.equal(result.status, 2, `${flag} ${path}: ${result.stderr}`)
        assert.equal(result.stderr, `meshwork: ${flag} ${path} cannot be written: ${reason}\n`)
        assert.ok(performance.now() - started < 20_000, 'refused at once')
      }
    }
  })

  it('warns about more workers than cores, and refuses far more', () => {
    const cores = availableParallelism()
    const over = run('xor', '--runs', '1', '--seed', '2', '--quiet', '--workers', String(cores + 1))
    assert.equal(over.status, 0, over.stderr)
    assert.equal(
      over.stderr,
      `meshwork: warning: --workers ${cores + 1} is more than this machine's ${cores} cores; the threads will share them\n`,
    )
    const far = run('xor', '--workers', String(4 * cores + 1))
    assert.equal(far.status, 2)
    assert.equal(
      far.stderr,
      `meshwork: --workers must be at most ${4 * cores} (4 × this machine's ${cores} cores), got '${4 * cores + 1}'\n`,
    )
  })
})

describe('meshwork evolve', () => {
  it('prints the documented JSON summary and exports the best champion as a network file', () => {
    const champion = join(dir, 'champion.json')
    const result = run('xor', '--runs', '3', '--seed', '5', '--json', '--quiet', '--export', champion)
    assert.equal(result.status, 0, result.stderr)
    const summary = JSON.parse(result.stdout) as Record<string, unknown>
    for (const field of [
      'task',
      'runs',
      'solved',
      'failures',
      'evaluations',
      'generations',
      'hiddenNodes',
      'wallMs',
      'evaluationsPerSecond',
    ]) {
      assert.ok(field in summary, `missing ${field}`)
    }
    assert.deepEqual(Object.keys(summary.evaluations as object), ['mean', 'std', 'median', 'max'])
    assert.equal(summary.task, 'xor')
    assert.equal(summary.solved, 3)
    const network = parseNetworkFile(readFileSync(champion, 'utf8'))
    assert.equal(network.task, 'xor')
    assert.ok(network.genome.nodes.some((n) => n.kind === 'hidden'))

    // and `meshwork evaluate` verifies it from the file alone
    const evaluated = spawnSync(process.execPath, [MAIN, 'evaluate', champion, '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(evaluated.status, 0, evaluated.stderr)
    const report = JSON.parse(evaluated.stdout) as { task: string; solved: boolean; fitness: number }
    assert.deepEqual([report.task, report.solved], ['xor', true])

    writeFileSync(join(dir, 'cut.json'), readFileSync(champion, 'utf8').slice(0, 200))
    const cut = spawnSync(process.execPath, [MAIN, 'evaluate', join(dir, 'cut.json')], { encoding: 'utf8' })
    assert.equal(cut.status, 2)
    assert.match(cut.stderr, /cut\.json: \(file\): not valid JSON \(truncated\?\)/)
  })

  it('reports pole results with the initial angle and DPNV generalization', () => {
    const result = run(
      'dpnv',
      '--runs',
      '1',
      '--population',
      '50',
      '--max-generations',
      '2',
      '--workers',
      '1',
      '--initial-angle',
      '0.05',
      '--json',
      '--quiet',
    )
    assert.equal(result.status, 1, 'an unsolved run exits 1')
    const summary = JSON.parse(result.stdout) as Record<string, unknown>
    assert.equal(summary.initialAngleRad, 0.05)
    assert.ok('generalization' in summary)
    assert.equal(summary.population, 50)
  })

  it('writes JSON lines of progress to stderr when it is not a terminal', () => {
    const result = run('xor', '--runs', '1', '--json')
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('{'))
    const events = lines.map((line) => (JSON.parse(line) as { event: string }).event)
    assert.ok(events.includes('generation') && events.at(-1) === 'run')
  })

  it('checkpoints an experiment and resumes it to the same result', () => {
    const checkpoint = join(dir, 'xor.checkpoint.json')
    const whole = run('xor', '--runs', '4', '--seed', '9', '--json', '--quiet')
    const first = run('xor', '--runs', '4', '--seed', '9', '--json', '--quiet', '--checkpoint', checkpoint)
    assert.equal(whole.status, 0, whole.stderr)
    assert.equal(first.status, 0, first.stderr)
    assert.ok(statSync(checkpoint).size > 0, 'the checkpoint was written')
    // a finished experiment resumes to the same summary without running again
    const resumed = run('xor', '--resume', checkpoint, '--json', '--quiet')
    assert.equal(resumed.status, 0, resumed.stderr)
    const strip = (text: string) => {
      const { wallMs: _w, evaluationsPerSecond: _e, ...rest } = JSON.parse(text) as Record<string, unknown>
      return rest
    }
    assert.deepEqual(strip(resumed.stdout), strip(whole.stdout))
    assert.deepEqual(strip(first.stdout), strip(whole.stdout))
  })

  it('saves the checkpoint on Ctrl-C and resumes it to the result of an uninterrupted run', async () => {
    const checkpoint = join(dir, 'interrupted.json')
    const args = ['xor', '--runs', '150', '--seed', '11', '--json', '--quiet']
    // a save every second: at the default 10 s a quiet machine finishes all 150 runs before the first save
    const saving = ['--checkpoint', checkpoint, '--checkpoint-seconds', '1']
    const child = spawn(process.execPath, [MAIN, 'evolve', ...args, ...saving], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    let stdout = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    // Interrupt once the experiment runs (it has saved a checkpoint), not after a fixed time:
    // on a loaded machine the CLI may take longer than that to start and install its handler.
    const end = performance.now() + 60_000
    while (!existsSync(checkpoint) && performance.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    child.kill('SIGINT')
    const [code] = (await once(child, 'exit')) as [number | null]
    assert.equal(code, 130, stderr)
    assert.match(stderr, /resume with --resume/)
    assert.equal(stdout, '', 'the experiment finished before the interrupt')
    const resumed = run('xor', '--resume', checkpoint, '--json', '--quiet')
    assert.equal(resumed.status, 0, resumed.stderr)
    const strip = (text: string) => {
      const { wallMs: _w, evaluationsPerSecond: _e, ...rest } = JSON.parse(text) as Record<string, unknown>
      return rest
    }
    assert.deepEqual(strip(resumed.stdout), strip(run(...args).stdout))
  })

  it('refuses bad input with one clear line', () => {
    const config = join(dir, 'bad-config.json')
    writeFileSync(config, JSON.stringify({ addNodeRate: 2 }))
    const badRate = run('xor', '--config', config)
    assert.equal(badRate.status, 2)
    assert.match(badRate.stderr, /addNodeRate is a probability and must be in \[0, 1\], got 2/)

    const truncated = join(dir, 'truncated.json')
    writeFileSync(truncated, '{"format":"meshwork-neat-checkpoint","version":1,"settings":{')
    const resume = run('xor', '--resume', truncated)
    assert.equal(resume.status, 2)
    assert.match(resume.stderr, /not valid JSON \(truncated\?\)/)

    const future = join(dir, 'future.json')
    writeFileSync(future, JSON.stringify({ format: 'meshwork-neat-checkpoint', version: 99 }))
    const newer = run('xor', '--resume', future)
    assert.equal(newer.status, 2)
    assert.match(newer.stderr, /checkpoint version 99 cannot be resumed by this Meshwork/)

    const both = run('xor', '--resume', future, '--seed', '3')
    assert.equal(both.status, 2)
    assert.match(both.stderr, /--seed cannot be combined with --resume/)

    assert.match(run('tetris').stderr, /<task> must be one of xor, cartpole, dpv, dpnv/)
    assert.match(
      run('dpv', '--initial-angle', '1').stderr,
      /--initial-angle must be radians inside ±0.628329/,
    )
  })
})
