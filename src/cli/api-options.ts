/**
 * The options every verb that talks to a running node shares: where its API is, the token when it needs
 * one, the certificate to trust for HTTPS, and JSON output for scripts.
 */
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import { type Command, Option } from 'commander'
import { DEFAULT_API_URL } from '../api/index.ts'
import { readPemFile } from '../daemon/config/index.ts'
import { MeshError } from '../kernel/index.ts'

export interface ApiClientFlags {
  readonly api: string
  readonly token?: string
  readonly ca?: string
  readonly json: boolean
}

export function addApiClientOptions(command: Command): Command {
  return command
    .option('--api <url>', "the node's API (a URL, or HOST:PORT)", apiUrlOption, DEFAULT_API_URL)
    .addOption(
      new Option(
        '--token <token>',
        'bearer token, needed when the API listens off loopback (see <dataDir>/api-token)',
      ).env('MESHWORK_API_TOKEN'),
    )
    .addOption(
      new Option(
        '--ca <file>',
        "PEM certificate to trust for an https:// API, e.g. the node's self-signed --api-cert",
      ).env('MESHWORK_API_CA'),
    )
    .option('--json', 'print the JSON the API answered instead of a summary', false)
    .hook('preAction', (_command, action) => trustCertificate(action.opts<ApiClientFlags>().ca))
}

/**
 * Adds `--ca`'s certificate to the ones this process trusts (fetch reads Node's default CA list), so
 * that an https:// API with a self-signed or private certificate can be reached and still verified.
 */
function trustCertificate(path: string | undefined): void {
  if (path === undefined || path === '') return
  const pem = readPemFile(path, '--ca', 'CERTIFICATE', 'INVALID_ARGUMENT')
  setDefaultCACertificates([...getCACertificates('default'), pem])
}

/** `http(s)://host:port[/prefix]`, or a bare `host:port` taken as http. */
export function apiUrlOption(text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return refuse(text)
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.search !== '') {
    return refuse(text)
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
}

function refuse(text: string): never {
  throw new MeshError(
    'INVALID_ARGUMENT',
    `--api must be the node's API URL, e.g. ${DEFAULT_API_URL} or 127.0.0.1:7070, got '${text}'`,
  )
}
