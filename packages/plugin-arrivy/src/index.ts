import { defineCrmPlugin } from '@crmsync/core';
import { ArrivyClient, DEFAULT_RATE_LIMIT } from './client.js';
import { bookings, crews, entities, groups, statuses } from './entities/lists.js';
import { TASK_OPTION_DEFAULTS, taskStatuses, tasks } from './entities/tasks.js';

export { ArrivyClient, arrivyPages, DEFAULT_RATE_LIMIT } from './client.js';
export { arrivyClock, arrivyTime, planTasks } from './entities/tasks.js';

/**
 * Arrivy field-service scheduling: tasks (with their status history), the people and crews
 * who do them, groups, bookings and status definitions.
 *
 * @example
 * // ARRIVY_AUTH_KEY=… ARRIVY_AUTH_TOKEN=… crmsync sync arrivy all
 */
export const arrivyPlugin = defineCrmPlugin({
  name: 'arrivy',
  displayName: 'Arrivy',
  kind: 'api',
  description: 'Arrivy tasks, task statuses, entities, groups, crews, bookings and statuses',
  config: {
    ARRIVY_AUTH_KEY: { description: 'API auth key (X-Auth-Key)', type: 'secret', required: true },
    ARRIVY_AUTH_TOKEN: {
      description: 'API auth token (X-Auth-Token)',
      type: 'secret',
      required: true,
    },
    ARRIVY_BASE_URL: {
      description: 'API root',
      type: 'url',
      default: 'https://app.arrivy.com/api',
    },
    ARRIVY_RATE_LIMIT: {
      description: 'Requests per minute the client allows itself (Arrivy documents none)',
      type: 'integer',
      default: DEFAULT_RATE_LIMIT,
    },
    ARRIVY_HISTORY_START: {
      description: 'Earliest schedule date a whole read of tasks asks for (YYYY-MM-DD)',
      default: '2010-01-01',
    },
    ARRIVY_RETRY_BACKOFF_MS: {
      description: 'First wait before retrying a 5xx or a dropped connection (doubles each time)',
      type: 'integer',
      default: 500,
    },
  },
  options: {
    'window-back-days': {
      type: 'integer',
      description:
        'Days of schedule time before now a tasks delta reads (or back to the since, if earlier)',
      default: TASK_OPTION_DEFAULTS['window-back-days'],
      min: 1,
      max: 3650,
    },
    'window-ahead-days': {
      type: 'integer',
      description: 'Days of schedule time after now a tasks delta reads',
      default: TASK_OPTION_DEFAULTS['window-ahead-days'],
      min: 1,
      max: 3650,
    },
    'full-read-hours': {
      type: 'integer',
      description:
        'The first tasks delta in each period of this many hours reads every task (catches edits to tasks scheduled outside the window); 0: never',
      default: TASK_OPTION_DEFAULTS['full-read-hours'],
      min: 0,
      max: 24 * 365,
    },
  },
  entities: [entities, groups, crews, statuses, bookings, tasks, taskStatuses],
  healthEntity: 'statuses',
  createClient: ({ config, metrics, logger }) =>
    new ArrivyClient({
      baseUrl: config.ARRIVY_BASE_URL,
      authKey: config.ARRIVY_AUTH_KEY,
      authToken: config.ARRIVY_AUTH_TOKEN,
      rateLimit: config.ARRIVY_RATE_LIMIT,
      historyStart: config.ARRIVY_HISTORY_START,
      backoffMs: config.ARRIVY_RETRY_BACKOFF_MS,
      metrics,
      logger,
    }),
  closeClient: (client) => client.close(),
});

export default arrivyPlugin;
