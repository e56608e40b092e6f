import { defineCrmPlugin, InputError } from '@crmsync/core';
import { Five9Client } from './client.js';
import { contactFieldsEntity, contactsEntity, type Five9Run } from './entities.js';

export {
  type CallCounter,
  type ContactsResult,
  type Criterion,
  Five9Client,
  type Five9ClientOptions,
} from './client.js';
export { CONTACT_CAP, contactFieldsEntity, contactsEntity, type Five9Run } from './entities.js';
export { WSDL_PATH, wsdlOptions } from './wsdl.js';

const report = (value: unknown) => {
  if (value === undefined || value === '') return undefined;
  const m = /^([^/]+)\/(.+)$/.exec(String(value));
  if (!m)
    throw new InputError(
      'FIVE9_CONTACTS_REPORT',
      'folder/report name, e.g. "My Reports/Contacts changed"',
      value,
    );
  return { folder: m[1] as string, name: m[2] as string };
};

/**
 * Five9 through its Configuration Web Services (SOAP 1.1, v13 WSDL).
 *
 * @example
 * // FIVE9_USERNAME=api@acme FIVE9_PASSWORD=… [FIVE9_CONTACTS_REPORT="Shared Reports/Contacts changed"]
 * crmsync sync five9 contacts
 */
export const five9Plugin = defineCrmPlugin({
  name: 'five9',
  displayName: 'Five9',
  kind: 'api',
  description: 'Five9 contacts and contact fields through the Configuration Web Services (SOAP)',
  config: {
    FIVE9_USERNAME: {
      description: 'Five9 user with the admin/API role (HTTP Basic)',
      required: true,
    },
    FIVE9_PASSWORD: { description: 'its password', type: 'secret', required: true },
    FIVE9_BASE_URL: {
      description: 'AdminWebService endpoint (data centre and version)',
      type: 'url',
      default: 'https://api.five9.com/wsadmin/v13/AdminWebService',
    },
    FIVE9_CONTACTS_REPORT: {
      description:
        'folder/name of a report listing contacts changed in a time window (enables deltas)',
    },
    FIVE9_REPORT_POLL_MS: {
      description: 'Wait between isReportRunning polls',
      type: 'integer',
      default: 5000,
    },
    FIVE9_RATE_LIMIT_WAIT_MS: {
      description: 'First wait after OperationsLimitExceededException, doubled per attempt',
      type: 'integer',
      default: 5000,
    },
    FIVE9_RECORD_CAP: {
      description:
        'Most records getContactRecords answers (Five9: 1,000); a partition answering this many is split',
      type: 'integer',
      default: 1000,
    },
    FIVE9_TIMEOUT_MS: { description: 'Per SOAP call attempt', type: 'integer', default: 120_000 },
  },
  entities: [contactsEntity(false), contactFieldsEntity],
  configureEntities: (config) => [
    contactsEntity(report(config.FIVE9_CONTACTS_REPORT) !== undefined),
    contactFieldsEntity,
  ],
  healthEntity: 'contact_fields',
  createClient: ({ config, metrics, logger }): Five9Run => {
    const r = report(config.FIVE9_CONTACTS_REPORT);
    if (config.FIVE9_RECORD_CAP < 2)
      throw new InputError('FIVE9_RECORD_CAP', 'an integer of 2 or more', config.FIVE9_RECORD_CAP);
    return {
      metrics,
      cap: config.FIVE9_RECORD_CAP,
      client: new Five9Client({
        endpoint: config.FIVE9_BASE_URL,
        username: config.FIVE9_USERNAME,
        password: config.FIVE9_PASSWORD,
        metrics,
        logger,
        rateLimitWaitMs: config.FIVE9_RATE_LIMIT_WAIT_MS,
        timeoutMs: config.FIVE9_TIMEOUT_MS,
      }),
      ...(r && { report: { ...r, pollMs: config.FIVE9_REPORT_POLL_MS } }),
    };
  },
});

export default five9Plugin;
