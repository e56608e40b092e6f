// The dashboard's wire types, named as its pages use them, taken from the types generated from
// packages/server/schema.graphql and the operations in queries.ts (`pnpm run codegen`).
import type {
  CrmPageQuery,
  RunProgressSubscription,
  RunRowFragment,
  ScheduleFieldsFragment,
  RunStatus as SchemaRunStatus,
} from './generated/graphql';

export type RunStatus = SchemaRunStatus;

export type RunRow = RunRowFragment;

/** One of a plugin's own options, as `Crm.options` describes it. */
export type PluginOption = NonNullable<CrmPageQuery['crm']>['options'][number];

export type ScheduleRow = Omit<ScheduleFieldsFragment, 'options'> & {
  /** The schedule's sync flags and plugin options (a JSON object on the wire). */
  options: Record<string, unknown>;
};

export type ProgressEvent = RunProgressSubscription['runProgress'];
