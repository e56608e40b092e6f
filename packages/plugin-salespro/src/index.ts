import { defineCrmPlugin, InputError } from '@crmsync/core';
import { SalesProAthena } from './client.js';
import { type SalesProRun, salesproEntities } from './entities.js';

export { type ResultPage, SalesProAthena, type SalesProAthenaOptions } from './client.js';
export {
  athenaEntity,
  athenaTimestamp,
  athenaTimestampToIso,
  type SalesProRun,
} from './entities.js';
export { leadResultFields, parseLeadResults } from './lead-results.js';
export { type AthenaType, type SalesProTable, salesproTable, TABLES } from './tables.js';

/**
 * SalesPro (LEAP) through the customer analytics vault LEAP shares over AWS Athena, plus the
 * users and offices CSV exports.
 *
 * @example
 * // SALESPRO_ACCESS_KEY_ID=… SALESPRO_SECRET_ACCESS_KEY=… SALESPRO_OUTPUT_LOCATION=s3://…/athena-results/
 * crmsync sync salespro estimates
 */
export const salesproPlugin = defineCrmPlugin({
  name: 'salespro',
  displayName: 'SalesPro',
  kind: 'api',
  description:
    'SalesPro (LEAP) analytics vault through AWS Athena, and its users/offices CSV exports',
  config: {
    SALESPRO_ACCESS_KEY_ID: { description: 'AWS access key id for the vault', required: true },
    SALESPRO_SECRET_ACCESS_KEY: {
      description: 'AWS secret access key',
      type: 'secret',
      required: true,
    },
    SALESPRO_SERVER_REGION: { description: 'AWS region of the vault', default: 'us-east-1' },
    SALESPRO_ATHENA_ENDPOINT: {
      description: "Athena endpoint (default: the region's own; a fake or a VPC endpoint)",
      type: 'url',
    },
    SALESPRO_DATABASE: {
      description: 'Athena database holding the tables',
      default: 'home_genius_db',
    },
    SALESPRO_WORKGROUP: { description: 'Athena workgroup', default: 'primary' },
    SALESPRO_OUTPUT_LOCATION: {
      description: 's3:// folder Athena writes query results to',
      required: true,
    },
    SALESPRO_POLL_MS: {
      description: 'Wait between query state polls',
      type: 'integer',
      default: 1000,
    },
    SALESPRO_QUERY_TIMEOUT_MS: {
      description: 'How long a query may run before the read gives up (and stops it)',
      type: 'integer',
      default: 1_800_000,
    },
    SALESPRO_THROTTLE_WAIT_MS: {
      description: 'First wait after Athena throttles, doubled per attempt',
      type: 'integer',
      default: 1000,
    },
    SALESPRO_USERS_CSV: { description: 'Path of the users CSV export (for the users entity)' },
    SALESPRO_OFFICES_CSV: {
      description: 'Path of the offices CSV export (for the offices entity)',
    },
  },
  entities: salesproEntities,
  healthEntity: 'estimates',
  createClient: async ({ config, metrics, logger }): Promise<SalesProRun> => {
    if (!/^s3:\/\/[^/]+/.test(config.SALESPRO_OUTPUT_LOCATION))
      throw new InputError(
        'SALESPRO_OUTPUT_LOCATION',
        'an s3://bucket/prefix/ folder',
        config.SALESPRO_OUTPUT_LOCATION,
      );
    return {
      athena: await SalesProAthena.connect({
        region: config.SALESPRO_SERVER_REGION,
        endpoint: config.SALESPRO_ATHENA_ENDPOINT,
        accessKeyId: config.SALESPRO_ACCESS_KEY_ID,
        secretAccessKey: config.SALESPRO_SECRET_ACCESS_KEY,
        database: config.SALESPRO_DATABASE,
        workGroup: config.SALESPRO_WORKGROUP,
        outputLocation: config.SALESPRO_OUTPUT_LOCATION,
        metrics,
        logger,
        pollMs: config.SALESPRO_POLL_MS,
        queryTimeoutMs: config.SALESPRO_QUERY_TIMEOUT_MS,
        throttleWaitMs: config.SALESPRO_THROTTLE_WAIT_MS,
      }),
      usersCsv: config.SALESPRO_USERS_CSV,
      officesCsv: config.SALESPRO_OFFICES_CSV,
    };
  },
  closeClient: async (run) => run.athena.close(),
});

export default salesproPlugin;
