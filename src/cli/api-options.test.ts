/**
 * `--api` accepts what people type (a URL or HOST:PORT) and refuses what cannot be an HTTP API address.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isMeshError } from '../kernel/index.ts'
import { apiUrlOption } from './api-options.ts'

describe('--api', () => {
  it('takes a URL or HOST:PORT and normalises it without a trailing slash', () => {
    assert.equal(apiUrlOption('http://127.0.0.1:7070/'), 'http://127.0.0.1:7070')
    assert.equal(apiUrlOption('127.0.0.1:7071'), 'http://127.0.0.1:7071')
    assert.equal(apiUrlOption('[::1]:7070'), 'http://[::1]:7070')
    assert.equal(apiUrlOption('https://node.example/meshwork/'), 'https://node.example/meshwork')
  })

  it('refuses other schemes, queries and nonsense with one line', () => {
    for (const bad of ['ftp://x', 'http://', 'http://x:7070/?a=1', 'a b']) {
      assert.throws(
        () => apiUrlOption(bad),
        (error) =>
          isMeshError(error) &&
          error.message ===
            `--api must be the node's API URL, e.g. http://127.0.0.1:7070 or 127.0.0.1:7070, got '${bad}'`,
        bad,
      )
    }
  })
})
