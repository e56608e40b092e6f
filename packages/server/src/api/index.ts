export { apiRuntimeFromApp } from './app-runtime.js';
export { httpRequestAuthorized, socketAuthorized, TOKEN_COOKIE } from './auth.js';
export type { ApiContext, ApiPlugin, ApiRuntime, ApiSyncs, SchedulerHealth } from './context.js';
export { NotFoundError, RunAlreadyActiveError } from './errors.js';
export { createPostgresEventTarget, type PostgresEventTarget } from './postgres-event-target.js';
export { printedSchema } from './print-schema.js';
export {
  type ApiEventTarget,
  type ApiPubSub,
  createApiPubSub,
  publishRunEvent,
  type RunLogPayload,
  type RunProgressPayload,
  type RunStatusPayload,
} from './pubsub.js';
export { type RecordFilter, RecordQuery, type RecordSort } from './records-query.js';
export {
  type ApiRuntimeParts,
  createApiRuntime,
  noSyncs,
  type RuntimeEngine,
  type RuntimePlugin,
} from './runtime.js';
export {
  PrismaScheduleService,
  parseInterval,
  type ScheduleInput,
  type SchedulePatch,
  type ScheduleService,
} from './schedule-service.js';
export {
  type ApiServer,
  type ApiServerOptions,
  DEFAULT_HOST,
  DEFAULT_PORT,
  GRAPHQL_PATH,
  resolveListenAddress,
  startApiServer,
} from './server.js';
