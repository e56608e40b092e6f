import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './runs.js';
import './crms.js';
import './monitoring.js';
import './health.js';
import './records.js';
import './schedules.js';
import './sync.js';
import './subscriptions.js';
import './writes.js';
import './webhooks.js';

let schema: GraphQLSchema | undefined;

/** The API's GraphQL schema (built once). */
export function apiSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}
