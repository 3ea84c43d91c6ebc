/**
 * The data directory's lock: taken exclusively, refused while its owner runs, taken over when the owner
 * is gone, released only by its owner.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { isMeshError } from '../kernel/index.ts'
import { LOCK_FILE, lockDataDir } from './data-dir-lock.ts'

const dir = mkdtempSync(join(tmpdir(), 'meshwork-lock-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** The pid of a process that has exited: nothing runs under it (until the pid is reused). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['--eval', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  })
  return Number(child.stdout)
}

describe('data directory lock', () => {
  it('makes the directory, holds the pid, and removes the file on release', () => {
    const dataDir = join(dir, 'fresh', 'nested')
    const lock = lockDataDir(dataDir)
    assert.equal(readFileSync(join(dataDir, LOCK_FILE), 'utf8'), `${process.pid}\n`)
    lock.release()
    lock.release()
    assert.equal(existsSync(join(dataDir, LOCK_FILE)), false)
  })

  it('refuses while the owner runs, naming the pid and the directory', () => {
    const dataDir = join(dir, 'held')
    const lock = lockDataDir(dataDir)
    try {
      assert.throws(
        () => lockDataDir(dataDir, process.pid + 1),
        (error) =>
          isMeshError(error) &&
          error.code === 'UNAVAILABLE' &&
          error.message ===
            `another node (pid ${process.pid}) runs on the data directory ${dataDir}; stop it first, or give this node its own --data-dir`,
      )
    } finally {
      lock.release()
    }
  })

  it('takes over a lock whose process is gone, or that holds no pid', () => {
    for (const content of [`${deadPid()}\n`, '', 'garbage']) {
      const dataDir = join(dir, `stale-${content.trim() || 'empty'}`)
      lockDataDir(dataDir).release()
      writeFileSync(join(dataDir, LOCK_FILE), content)
      const lock = lockDataDir(dataDir)
      assert.equal(readFileSync(join(dataDir, LOCK_FILE), 'utf8'), `${process.pid}\n`)
      lock.release()
    }
  })

  it('leaves a lock alone on release when another process has taken it since', () => {
    const dataDir = join(dir, 'taken')
    const lock = lockDataDir(dataDir)
    writeFileSync(join(dataDir, LOCK_FILE), '1\n')
    lock.release()
    assert.equal(readFileSync(join(dataDir, LOCK_FILE), 'utf8'), '1\n')
  })

  it('refuses a data directory that is a file', () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, '')
    assert.throws(
      () => lockDataDir(file),
      (error) => isMeshError(error) && error.code === 'INVALID_ARGUMENT' && /is a file/.test(error.message),
    )
  })
})
