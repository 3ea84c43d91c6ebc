/**
 * Node identity as seen by protocol cores: an opaque string. The libp2p engine uses the peer id's
 * base58 text; the simulator uses short names (`n0`, `n1`, …). Cores only compare and hash ids.
 */
export type NodeId = string

/** The longest id a decoder accepts (a base58 ed25519 peer id is 52 characters). */
export const MAX_NODE_ID_BYTES = 128
