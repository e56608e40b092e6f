import type { EntityDefinition } from '@crmsync/core';
import { readByIds } from '../by-ids.js';
import type { CallRailClient, CallRailRecord } from '../client.js';
import { currencyAmount } from '../values.js';
import { callrailEntity } from './list.js';

/** Fields CallRail returns for a call only when named in `fields=`. */
export const CALL_EXTRA_FIELDS = [
  'company_id',
  'company_name',
  'tags',
  'lead_status',
  'value',
  'note',
  'source',
  'campaign',
  'medium',
  'first_call',
  'call_type',
];

const list = callrailEntity({
  name: 'calls',
  displayName: 'Calls',
  description:
    'Calls of the account, re-read over a trailing window of start time (no modified-since filter)',
  list: {
    path: 'calls',
    key: 'calls',
    dateField: 'start_time',
    query: { fields: CALL_EXTRA_FIELDS.join(',') },
  },
  relative: true,
  createdAtField: 'start_time',
  dependsOn: ['companies'],
  // `value` is a currency string ("$100.00"): kept as sent, its amount parsed beside it (an
  // unparsable one is kept too, so lenient validation names it).
  prepare(raw) {
    const value = raw.value;
    raw.value_amount =
      value === null || value === undefined || value === ''
        ? null
        : (currencyAmount(value) ?? value);
  },
  fields: {
    id: { type: 'string', required: true },
    start_time: { type: 'datetime', required: true, indexed: true },
    direction: { type: 'string' },
    answered: { type: 'boolean' },
    voicemail: { type: 'boolean' },
    duration: { type: 'integer' },
    business_phone_number: { type: 'phone' },
    tracking_phone_number: { type: 'phone', required: true },
    customer_phone_number: { type: 'phone' },
    customer_name: { type: 'string' },
    customer_city: { type: 'string' },
    customer_state: { type: 'state' },
    customer_country: { type: 'string' },
    agent_email: { type: 'email' },
    recording: { type: 'url' },
    recording_duration: { type: 'integer' },
    recording_player: { type: 'url' },
    company_id: { type: 'string' },
    company_name: { type: 'string' },
    tags: { type: 'json' },
    lead_status: { type: 'string' },
    value: { type: 'string', description: 'as CallRail sends it: a currency string, "$100.00"' },
    value_amount: { type: 'decimal', description: 'the amount of `value`' },
    note: { type: 'text' },
    source: { type: 'string' },
    campaign: { type: 'string' },
    medium: { type: 'string' },
    first_call: { type: 'boolean' },
    call_type: { type: 'string' },
  },
});

/** Calls; a webhook's ids are read one call each (`GET …/calls/{id}.json`, with `fields=`). */
export const calls: EntityDefinition<CallRailClient, CallRailRecord> = {
  ...list,
  fetchByIds: (client, request) =>
    readByIds(client, 'calls', request, { fields: CALL_EXTRA_FIELDS.join(',') }),
};
