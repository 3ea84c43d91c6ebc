/**
 * A self-signed certificate for 127.0.0.1, localhost and ::1, made with `openssl` into a directory the
 * test owns, for tests of the API over HTTPS. Keys are made at test time and never committed.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface TestCertificate {
  readonly certFile: string
  readonly keyFile: string
  readonly cert: string
  readonly key: string
}

export function makeTestCertificate(dir: string): TestCertificate {
  const certFile = join(dir, 'api-cert.pem')
  const keyFile = join(dir, 'api-key.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=meshwork test',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    ],
    { stdio: 'ignore', timeout: 20_000 },
  )
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }
}
