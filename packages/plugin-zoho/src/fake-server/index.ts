export { BULK_PAGE, type BulkJob, type BulkTiming } from './bulk-api.js';
export { compareValues, type CoqlQuery, matches, parseCoql } from './coql.js';
export {
  type FakeFieldMeta,
  type FakeRow,
  moduleFields,
  picklist,
  REGIONS,
  recordId,
  STAGES,
  zohoTime,
} from './data.js';
export { ENTITY_MODULES, fakeZohoConfig, zohoKitFixture } from './kit-fixture.js';
export { ZohoLimits } from './limits.js';
export { type FakeModule, FakeZohoOrg } from './org.js';
export { OFFSET_CAP } from './records-api.js';
export {
  FAKE_CLIENT,
  type FakeZoho,
  type FakeZohoOptions,
  STANDARD_MODULES,
  startFakeZoho,
} from './server.js';
export { MASS_UPDATE_MAX, type MassUpdateJob, WRITE_BATCH } from './writes-api.js';
export { sendZohoNotification, type ZohoNotification } from './webhooks.js';
export { type FakeWatch, mountWatchRoutes } from './watch-api.js';
