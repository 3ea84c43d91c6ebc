export { type FrameReadError, FrameReader, lengthPrefixed } from './framing.ts'
export { IDENTITY_FILE, loadOrCreateIdentity } from './identity.ts'
export { Libp2pNode, MEMBERSHIP_PROTOCOL, startNode } from './start-node.ts'
