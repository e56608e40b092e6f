export {
  type AuthStrategy,
  bearerAuth,
  headerAuth,
  type OAuthRefreshOptions,
  oauthRefreshAuth,
} from './auth.js';
export {
  HttpClient,
  type HttpClientOptions,
  type HttpResponse,
  type RequestOptions,
} from './http-client.js';
export { parseRetryAfter, statusError, vendorMessage } from './http-errors.js';
export {
  cursorPages,
  linkHeaderPages,
  nextLink,
  nextUrlPages,
  offsetPages,
  pageNumberPages,
} from './paginate.js';
export { type RateLimit, RateLimiter } from './rate-limit.js';
export { type SharedQuota, SharedRateLimiter } from './shared-rate-limiter.js';
export {
  type PaginationSpec,
  type RestStreamRequest,
  type RestStreamSpec,
  restPages,
} from './rest-stream.js';
export {
  type BoundParam,
  type DateFormat,
  deltaQuery,
  formatBound,
  type RestCheckpoint,
  type RestClient,
  type RestDeletes,
  type RestDeltaSpec,
  type RestEntitySpec,
  restCheckpoint,
  restEntity,
} from './rest-entity.js';
