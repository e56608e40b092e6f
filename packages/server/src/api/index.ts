export { apiRuntimeFromApp } from './app-runtime.js';
export { httpRequestAuthorized, socketAuthorized, TOKEN_COOKIE } from '../auth/token.js';
export type { ApiPlugin, ApiRuntime, ApiSyncs, SchedulerHealth } from '../runtime/api-runtime.js';
export type { ApiContext } from './request-context.js';
export { NotFoundError, RunAlreadyActiveError } from './errors.js';
export {
  createPostgresEventTarget,
  type PostgresEventTarget,
} from '../events/postgres-event-target.js';
export { printedSchema } from './print-schema.js';
export {
  type ApiEventTarget,
  type ApiPubSub,
  createApiPubSub,
  publishRunEvent,
  type RunLogPayload,
  type RunProgressPayload,
  type RunStatusPayload,
} from '../events/pubsub.js';
export { type RecordFilter, RecordQuery, type RecordSort } from '../records/records-query.js';
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
} from '../schedules/schedule-service.js';
export {
  type ApiServer,
  type ApiServerOptions,
  DEFAULT_HOST,
  DEFAULT_PORT,
  GRAPHQL_PATH,
  resolveListenAddress,
  startApiServer,
} from './server.js';
