export type { Core } from './core.ts'
export {
  type AnyModule,
  type DeliveryPolicy,
  type EngineHint,
  type EventSource,
  type JsonObject,
  type JsonValue,
  type MessageCodec,
  type MetricSample,
  type ModuleContext,
  type ModuleCore,
  type ModuleEvent,
  type ModuleSurface,
  type ProtocolId,
  type ProtocolModule,
  type Subscription,
  subscribe,
} from './module.ts'
