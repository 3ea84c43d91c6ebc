export {
  type DecodedEnvelope,
  decodePublication,
  type EnvelopeLimits,
  encodePublication,
  encodeSignedPublication,
  MAX_SIGNATURE_BYTES,
  PUBSUB_WIRE_VERSION,
  verifyEnvelope,
} from './codec.ts'
export { DEFAULT_PUBSUB_CONFIG, PUBSUB_CHANNEL, type PubSubConfig, pubsubConfig } from './config.ts'
export { PUBSUB_EVENTS, PUBSUB_PROTOCOL, type PubSubSettings, pubsubModule } from './module.ts'
export { PubSub, type PubSubInit } from './pubsub.ts'
export { checkTopic, type TopicProblem, topicProblem } from './topic.ts'
export {
  DELIVERY_MODES,
  type DeliveryMode,
  type GapReason,
  type GapSkippedEvent,
  type Publication,
  type PublicationId,
  type PublishRequestedEvent,
  type PubSubEvent,
  type PubSubRejection,
  type ReceivedEvent,
  type SubscribeOptions,
  type SubscriptionId,
} from './types.ts'
