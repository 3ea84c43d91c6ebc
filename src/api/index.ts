export {
  DEFAULT_API_URL,
  DEFAULT_TIMEOUT_MS,
  getMembers,
  getStatus,
  postFaults,
  type RequestOptions,
  streamEvents,
} from './client.ts'
export { describeEvent, type NameOf, type OtherEvent, shortPeerId } from './describe-event.ts'
export {
  ApiError,
  type ApiErrorBody,
  type ApiErrorCode,
  type ClientErrorCode,
  isApiError,
  isApiErrorBody,
  type ServerErrorCode,
} from './errors.ts'
export { buildOpenApiDocument } from './openapi.ts'
export {
  COMMON_ERRORS,
  type ContentType,
  type Endpoints,
  type HttpMethod,
  type OpenApiDocument,
  PROMETHEUS_CONTENT_TYPE,
  ROUTES,
  type RouteDefinition,
  type RouteId,
} from './routes.ts'
export {
  ERROR_SCHEMA,
  FAULT_SPEC_SCHEMA,
  FAULTS_APPLIED_SCHEMA,
  type JsonSchema,
  MEMBER_SCHEMA,
  MEMBERS_SCHEMA,
  NODE_EVENT_SCHEMA,
  PROFILE_SCHEMA,
  STATE_CREATE_SCHEMA,
  STATE_OK_SCHEMA,
  STATE_OPERATION_SCHEMA,
  STATE_READING_SCHEMA,
  STATUS_SCHEMA,
} from './schemas.ts'
export { formatSseData, MAX_SSE_EVENT_CHARS, SSE_HEARTBEAT, SseParser } from './sse.ts'
export type {
  FaultSpec,
  FaultsApplied,
  LinkShape,
  MemberProfile,
  MemberRecordJson,
  MemberState,
  MembersView,
  MemberView,
  NodeEvent,
  NodeEventType,
  NodeState,
  NodeStatus,
  StateCreate,
  StateOk,
  StateOperation,
  StateReading,
  StateType,
} from './types.ts'
