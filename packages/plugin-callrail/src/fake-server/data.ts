import { createHash } from 'node:crypto';

const DAY = 86_400_000;
const FIRST = ['Ava', 'Ben', 'Cleo', 'Dan', 'Eve', 'Finn', 'Gia', 'Hal', 'Ivy', 'Jon'];
const LAST = ['Adams', 'Brown', 'Clark', 'Diaz', 'Evans', 'Ford', 'Gray', 'Hill'];
const CITIES: Array<[string, string]> = [
  ['Albany', 'NY'],
  ['Newark', 'NJ'],
  ['Dover', 'DE'],
  ['Trenton', 'NJ'],
  ['Erie', 'PA'],
];
const SOURCES = ['Google Ads', 'Google Organic', 'Facebook', 'Direct', 'Bing Ads'];
const LEAD_STATUSES = ['good_lead', 'not_a_lead', 'previously_marked_good_lead', null];

export type Json = Record<string, unknown>;

/** Stable CallRail-style id: a three-letter prefix and 32 hex digits. */
export function callrailId(prefix: string, n: number, salt = ''): string {
  return prefix + createHash('sha1').update(`${prefix}${salt}${n}`).digest('hex').slice(0, 32);
}

/** ISO 8601 with the zone's offset, as CallRail writes `start_time` (`…-05:00`). */
export function isoWithOffset(date: Date, timeZone: string): string {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  const offset = m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(date.getTime() + minutes * 60_000).toISOString().slice(0, 23);
  return `${local}${offset}`;
}

export interface CallRailData {
  accounts: Json[];
  companies: Json[];
  calls: Json[];
  trackers: Json[];
  users: Json[];
  tags: Json[];
  form_submissions: Json[];
  conversations: Json[];
}

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;
const phone = (n: number) =>
  `+1${String(2000000000 + ((n * 7_654_321) % 7_999_999_999)).slice(0, 10)}`;

export const TIME_ZONE = 'America/New_York';

/** One generated call; `at` is its start time. Extra fields are kept and served on request. */
export function makeCall(n: number, at: Date, companies: Json[], salt = ''): Json {
  const company = pick(companies, n);
  const [city, state] = pick(CITIES, n);
  const answered = n % 5 !== 0;
  const duration = answered ? 30 + ((n * 37) % 900) : 0;
  return {
    id: callrailId('CAL', n, salt),
    answered,
    business_phone_number: '+18005550100',
    customer_city: city,
    customer_country: 'US',
    customer_name: `${pick(FIRST, n)} ${pick(LAST, n * 3)}`,
    customer_phone_number: phone(n),
    customer_state: state,
    direction: n % 7 === 0 ? 'outbound' : 'inbound',
    duration,
    recording: answered ? `https://api.callrail.com/v3/a/rec/${n}.json` : null,
    recording_duration: answered ? String(duration) : null,
    recording_player: answered ? `https://app.callrail.com/calls/${n}/recording` : null,
    start_time: isoWithOffset(at, TIME_ZONE),
    tracking_phone_number: phone(n + 1_000_000),
    voicemail: !answered && n % 2 === 0,
    agent_email: answered ? `agent${n % 9}@example.com` : null,
    company_id: company.id,
    company_name: company.name,
    tags: n % 4 === 0 ? ['New Customer'] : [],
    lead_status: pick(LEAD_STATUSES, n),
    // CallRail sends a call's value as a currency string.
    value: n % 5 === 0 ? `$${(n % 9) * 25 + 100}.00` : n % 11 === 0 ? '$1,250.50' : null,
    note: null,
    source: pick(SOURCES, n),
    campaign: n % 3 === 0 ? 'Spring Roofing' : null,
    medium: n % 2 === 0 ? 'cpc' : 'organic',
    first_call: n % 6 === 0,
    call_type: answered ? 'first_call' : 'missed',
  };
}

/** Fields of a call that CallRail only returns when named in `fields=`. */
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

/** An account with `size` calls (and proportionate other records) over the past 90 days. */
export function generateAccount(accountId: string, size: number, now = Date.now()): CallRailData {
  const spread = (n: number, count: number) =>
    new Date(now - Math.floor((((n * 7919) % count) / count) * 90 * DAY) - n * 1000);
  const companies = Array.from({ length: 3 }, (_, i) => ({
    id: callrailId('COM', i),
    name: `Home Genius ${pick(['North', 'South', 'Central'], i)}`,
    status: 'active',
    time_zone: TIME_ZONE,
    created_at: new Date(now - 400 * DAY + i * DAY).toISOString(),
    disabled_at: null,
    dni_active: true,
    script_url: `//cdn.callrail.com/companies/${i}/swap.js`,
    callscore_enabled: false,
    lead_scoring_enabled: true,
    keyword_spotting_enabled: false,
    form_capture: true,
  }));
  const calls = Array.from({ length: size }, (_, i) =>
    makeCall(i + 1, spread(i + 1, size), companies),
  );
  const trackers = Array.from({ length: 6 }, (_, i) => ({
    id: callrailId('TRK', i),
    name: `${pick(SOURCES, i)} tracker`,
    type: 'source',
    status: i === 5 ? 'disabled' : 'active',
    destination_number: '+18005550100',
    tracking_numbers: [phone(i + 500)],
    company: { id: pick(companies, i).id, name: pick(companies, i).name },
    source: { type: 'search', search_engine: 'google', search_type: 'paid' },
    call_flow: { type: 'basic', recording_enabled: true },
    sms_enabled: i % 2 === 0,
    created_at: new Date(now - 300 * DAY + i * DAY).toISOString(),
    disabled_at: i === 5 ? new Date(now - 10 * DAY).toISOString() : null,
  }));
  const users = Array.from({ length: 4 }, (_, i) => ({
    id: callrailId('USR', i),
    email: `user${i}@example.com`,
    first_name: pick(FIRST, i),
    last_name: pick(LAST, i),
    role: i === 0 ? 'admin' : 'reporting',
    created_at: new Date(now - 500 * DAY + i * DAY).toISOString(),
  }));
  const tags = ['New Customer', 'Existing Customer', 'Spam', 'Appointment Set'].map((name, i) => ({
    id: 2000 + i,
    name,
    color: pick(['red1', 'blue1', 'green1', 'gray1'], i),
    company_id: pick(companies, i).id,
    created_at: new Date(now - 200 * DAY + i * DAY).toISOString(),
  }));
  const formCount = Math.max(5, Math.floor(size / 4));
  const form_submissions = Array.from({ length: formCount }, (_, i) => ({
    id: callrailId('FOR', i),
    company_id: pick(companies, i).id,
    person_id: callrailId('PER', i),
    form_data: {
      name: `${pick(FIRST, i)} ${pick(LAST, i)}`,
      email: `lead${i}@example.com`,
      phone: phone(i),
    },
    form_url: 'https://homegenius.example.com/quote',
    landing_page_url: 'https://homegenius.example.com/',
    submitted_at: isoWithOffset(spread(i + 1, formCount), TIME_ZONE),
    source: pick(SOURCES, i),
  }));
  const conversationCount = Math.max(5, Math.floor(size / 4));
  const conversations = Array.from({ length: conversationCount }, (_, i) => {
    const last = spread(i + 1, conversationCount);
    return {
      id: callrailId('SMS', i),
      company_id: pick(companies, i).id,
      customer_phone_number: phone(i + 10),
      customer_name: `${pick(FIRST, i + 2)} ${pick(LAST, i)}`,
      current_tracking_number: phone(i + 500),
      last_message_at: isoWithOffset(last, TIME_ZONE),
      state: i % 3 === 0 ? 'closed' : 'active',
      recent_messages: [
        {
          direction: 'inbound',
          content: 'Can you quote a new roof?',
          created_at: isoWithOffset(last, TIME_ZONE),
        },
      ],
    };
  });
  const accounts = [
    {
      id: accountId,
      name: 'Home Genius Exteriors',
      outbound_recording_enabled: true,
      hipaa_account: false,
      numeric_id: 123456789,
    },
  ];
  return { accounts, companies, calls, trackers, users, tags, form_submissions, conversations };
}
