export { parseFieldValue, parseFieldValues, sameValue } from './field-values.js';
export {
  type LocalEdit,
  type RecordEditsOptions,
  type Resolution,
  recordEdits,
  resolveConflict,
} from './local-edit.js';
export { type MergeResult, threeWayMerge } from './merge.js';
export {
  localChangesOf,
  type PushCounts,
  type PushHooks,
  type PushOptions,
  type PushProgress,
  type PushResult,
  pushChanges,
  writeSyncType,
  writerOf,
} from './push.js';
export {
  openWriteSession,
  ReadOnlyEntityError,
  writableEntities,
  type WriteSession,
} from './session.js';
