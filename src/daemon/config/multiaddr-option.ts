/**
 * Checks multiaddrs given to `--listen` and `--seeds` as the engine will read them, so that a port of
 * 99999, an IPv4 address of 300.0.0.1 or an unknown protocol is refused with one line before anything
 * starts, instead of failing inside libp2p with a stack trace. Parsing is @multiformats/multiaddr's own
 * (the parser libp2p uses); on top of it, the address must name something a node can listen on or dial:
 * TCP, or QUIC over UDP, on an IP address or DNS name, as the engine's transports do.
 */
import { multiaddr } from '@multiformats/multiaddr'

type Component = { readonly name: string; readonly value?: string | undefined }

const HOSTS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6'])
const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{32,128}$|^b[a-z2-7]{32,128}$/

export type AddressUse = 'listen' | 'seed'

export const ADDRESS_EXAMPLES: Readonly<Record<AddressUse, string>> = {
  listen: '/ip4/0.0.0.0/tcp/4001 or /ip4/0.0.0.0/udp/4001/quic-v1',
  seed: '/ip4/192.0.2.7/tcp/4001 or /dns4/seed.example/udp/4001/quic-v1',
}

/** Undefined when `text` is a usable address; otherwise what is wrong with it, in a few words. */
export function multiaddrProblem(text: string, use: AddressUse): string | undefined {
  let components: readonly Component[]
  try {
    components = multiaddr(text).getComponents()
  } catch (error) {
    return lowerFirst((error as Error).message)
  }
  let rest = components
  // A relay address ends in /p2p-circuit (optionally with the target's id); what precedes it names the relay.
  const circuit = rest.findIndex((component) => component.name === 'p2p-circuit')
  if (circuit !== -1) {
    const after = rest.slice(circuit + 1)
    if (after.length > 1 || (after.length === 1 && !isPeer(after[0])))
      return 'nothing may follow /p2p-circuit but /p2p/<peer id>'
    if (use === 'listen' && circuit === 0 && after.length === 0) return undefined
    rest = rest.slice(0, circuit)
    if (!isPeer(rest.at(-1))) return "a relay address names the relay's /p2p/<peer id> before /p2p-circuit"
  }
  if (isPeer(rest.at(-1))) {
    if (use === 'listen' && circuit === -1) return '/p2p/<peer id> belongs in seeds, not in listen addresses'
    rest = rest.slice(0, -1)
  }
  const peer = components.find((component) => component.name === 'p2p')
  if (peer !== undefined && !PEER_ID.test(peer.value ?? '')) return `'${peer.value}' is not a peer id`
  const [host, transport, quic, ...more] = rest
  if (host === undefined || !HOSTS.has(host.name))
    return 'it must start with /ip4, /ip6, /dns, /dns4 or /dns6'
  const tcp = transport?.name === 'tcp' && quic === undefined
  const udpQuic = transport?.name === 'udp' && quic?.name === 'quic-v1' && more.length === 0
  if (!tcp && !udpQuic) return 'the node speaks TCP (/tcp/<port>) and QUIC (/udp/<port>/quic-v1)'
  return undefined
}

function isPeer(component: Component | undefined): boolean {
  return component?.name === 'p2p'
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}
