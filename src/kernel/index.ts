export { BoundedMap } from './bounded-map.ts'
export { BoundedQueue, type OverflowPolicy } from './bounded-queue.ts'
export {
  DECODE_ERROR_REASONS,
  type DecodeErrorReason,
  Decoder,
  Encoder,
  stringBytes,
  varUintBytes,
} from './codec.ts'
export { CONNECTION_CLASSES, type ConnectionClass, isConnectionClass } from './connection-class.ts'
export { isMeshError, MeshError, type MeshErrorCode } from './errors.ts'
export {
  beginFrame,
  DEFAULT_MAX_FRAME_BYTES,
  type FrameHeader,
  type FrameLimits,
  openFrame,
} from './frame.ts'
export { MAX_NODE_ID_BYTES, type NodeId } from './ids.ts'
export { fmix32, hashString, Random, type Seed } from './random.ts'
export { RejectionCounter } from './rejections.ts'
export { err, ok, type Result } from './result.ts'
export { type Signer, StandInSigner } from './signer.ts'
export {
  type Clock,
  earliest,
  type Millis,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  minutes,
  seconds,
} from './time.ts'
