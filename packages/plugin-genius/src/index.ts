import { defineCrmPlugin } from '@crmsync/core';
import { GeniusClient } from './client.js';
import { appointmentOutcomes } from './entities/appointment_outcomes.js';
import { appointmentOutcomeTypes } from './entities/appointment_outcome_types.js';
import { appointmentServices } from './entities/appointment_services.js';
import { appointments } from './entities/appointments.js';
import { appointmentTypes } from './entities/appointment_types.js';
import { divisionGroups } from './entities/division_groups.js';
import { divisionRegions } from './entities/division_regions.js';
import { divisions } from './entities/divisions.js';
import { jobChangeOrderItems } from './entities/job_change_order_items.js';
import { jobChangeOrderReasons } from './entities/job_change_order_reasons.js';
import { jobChangeOrderStatuses } from './entities/job_change_order_statuses.js';
import { jobChangeOrderTypes } from './entities/job_change_order_types.js';
import { jobChangeOrders } from './entities/job_change_orders.js';
import { jobFinancings } from './entities/job_financings.js';
import { jobStatuses } from './entities/job_statuses.js';
import { jobs } from './entities/jobs.js';
import { leads } from './entities/leads.js';
import { marketingSources } from './entities/marketing_sources.js';
import {
  integrationFieldDefinitions,
  integrationFields,
  marketsharpAppointments,
  marketsharpContacts,
  marketsharpMarketingSourceMaps,
  marketsharpSources,
} from './entities/marketsharp.js';
import { marketingSourceTypes } from './entities/marketing_source_types.js';
import { prospectSources } from './entities/prospect_sources.js';
import { prospects } from './entities/prospects.js';
import { quotes } from './entities/quotes.js';
import { services } from './entities/services.js';
import { userAssociations } from './entities/user_associations.js';
import { userTitles } from './entities/user_titles.js';
import { users } from './entities/users.js';
import { assertTimeZone } from './timezone.js';

export { GeniusClient, type GeniusRow, type GeniusTable, quoteIdent } from './client.js';
export { fromNaive, naiveLowerBound, toNaive } from './timezone.js';

/**
 * Genius, the customer's own CRM database (MySQL/MariaDB), read directly.
 *
 * @example
 * // GENIUS_DATABASE_URL=mysql://reader:…@db:3306/genius GENIUS_TIMEZONE=America/New_York
 * crmsync sync genius appointments
 */
export const geniusPlugin = defineCrmPlugin({
  name: 'genius',
  displayName: 'Genius',
  kind: 'database',
  description:
    'The Genius CRM read from its MySQL/MariaDB database with keyset-paged, parameterised SELECTs',
  config: {
    GENIUS_DATABASE_URL: {
      description: 'mysql://user:password@host:3306/database (a read-only user is enough)',
      type: 'secret',
      required: true,
    },
    GENIUS_TIMEZONE: {
      description:
        "IANA time zone the database stores its naive DATETIMEs in; unset: the server's own (@@time_zone, @@system_time_zone)",
    },
    GENIUS_POOL_SIZE: {
      description: 'Connections in the pool',
      type: 'integer',
      default: 4,
    },
  },
  entities: [
    divisionRegions,
    divisionGroups,
    divisions,
    userTitles,
    users,
    userAssociations,
    services,
    marketingSourceTypes,
    marketingSources,
    prospects,
    prospectSources,
    appointmentTypes,
    appointmentOutcomeTypes,
    appointmentOutcomes,
    appointments,
    appointmentServices,
    leads,
    quotes,
    jobStatuses,
    jobFinancings,
    jobs,
    jobChangeOrderReasons,
    jobChangeOrderStatuses,
    jobChangeOrderTypes,
    jobChangeOrders,
    jobChangeOrderItems,
    integrationFieldDefinitions,
    integrationFields,
    marketsharpSources,
    marketsharpMarketingSourceMaps,
    marketsharpContacts,
    marketsharpAppointments,
  ],
  createClient: ({ config, logger, metrics }) =>
    GeniusClient.connect({
      url: config.GENIUS_DATABASE_URL,
      ...(config.GENIUS_TIMEZONE ? { timeZone: assertTimeZone(config.GENIUS_TIMEZONE) } : {}),
      poolSize: config.GENIUS_POOL_SIZE > 0 ? config.GENIUS_POOL_SIZE : 4,
      logger: logger.child('crmsync:plugin:genius:client'),
      metrics,
    }),
  closeClient: (client) => client.close(),
  // A ping, not the default probe's one-record read: it proves the pool and the credentials
  // without depending on one table's grants or size, and a MySQL source has no cheap list.
  async health(client) {
    const started = Date.now();
    try {
      await client.ping();
      return { ok: true, latencyMs: Date.now() - started };
    } catch (error) {
      return { ok: false, latencyMs: Date.now() - started, message: (error as Error).message };
    }
  },
});

export default geniusPlugin;
