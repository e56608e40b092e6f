/**
 * The fake Zoho org's modules: each module's field metadata (as `GET /crm/v8/settings/fields`
 * answers it) and sample records. Every module carries the account-defined picklist
 * `Install_Region` (`custom_field: true`), the custom field the issue names.
 */

export interface FakePicklistValue {
  display_value: string;
  actual_value: string;
  id: string;
  sequence_number: number;
  type: 'used' | 'unused';
}

/** The subset of Zoho's field metadata the fake serves (names as in fields.json). */
export interface FakeFieldMeta {
  api_name: string;
  field_label: string;
  display_label: string;
  data_type: string;
  json_type: string;
  length?: number;
  decimal_place?: number | null;
  custom_field: boolean;
  read_only: boolean;
  field_read_only: boolean;
  system_mandatory: boolean;
  visible: boolean;
  id: string;
  pick_list_values?: FakePicklistValue[];
}

export type FakeRow = { id: string; [field: string]: unknown };

/** Zoho record ids are 19 digits, handed out as strings. */
const ID_BASE = 5_725_767n * 1_000_000_000_000n;
export const recordId = (n: number) => String(ID_BASE + BigInt(n));
export const USER = {
  id: '5725767000000411001',
  name: 'Patricia Boyle',
  email: 'p.boyle@zylker.com',
};

const JSON_TYPE: Record<string, string> = {
  text: 'string',
  textarea: 'string',
  email: 'string',
  phone: 'string',
  website: 'string',
  picklist: 'string',
  autonumber: 'string',
  integer: 'integer',
  bigint: 'string',
  currency: 'double',
  double: 'double',
  percent: 'double',
  boolean: 'boolean',
  date: 'string',
  datetime: 'string',
  lookup: 'jsonobject',
  ownerlookup: 'jsonobject',
  multiselectpicklist: 'jsonarray',
};

let fieldSeq = 0;
function field(
  api_name: string,
  data_type: string,
  extra: Partial<FakeFieldMeta> & { values?: string[] } = {},
): FakeFieldMeta {
  const { values, ...rest } = extra;
  const label = api_name.replace(/_/g, ' ');
  fieldSeq++;
  return {
    api_name,
    field_label: label,
    display_label: label,
    data_type,
    json_type: JSON_TYPE[data_type] ?? 'string',
    custom_field: false,
    read_only: false,
    field_read_only: false,
    system_mandatory: false,
    visible: true,
    id: String(5_725_767_000_000_100_000n + BigInt(fieldSeq)),
    ...(data_type === 'text' && { length: 255 }),
    ...(data_type === 'currency' && { length: 16, decimal_place: 2 }),
    ...(values && { pick_list_values: picklist(values) }),
    ...rest,
  };
}

export function picklist(values: string[]): FakePicklistValue[] {
  return values.map((v, i) => ({
    display_value: v,
    actual_value: v,
    id: String(5_725_767_000_000_200_000n + BigInt(i)),
    sequence_number: i + 1,
    type: 'used',
  }));
}

export const REGIONS = ['North', 'South', 'East', 'West'];
export const STAGES = [
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];
const LEAD_SOURCES = ['-None-', 'Advertisement', 'Cold Call', 'Web Download', 'Trade Show'];

const system = () => [
  field('Owner', 'ownerlookup'),
  field('Created_By', 'ownerlookup', { read_only: true, field_read_only: true }),
  field('Modified_By', 'ownerlookup', { read_only: true, field_read_only: true }),
  field('Created_Time', 'datetime', { read_only: true, field_read_only: true }),
  field('Modified_Time', 'datetime', { read_only: true, field_read_only: true }),
  field('Install_Region', 'picklist', { custom_field: true, values: [...REGIONS] }),
];

/** Field metadata of the standard modules; a custom module gets `Name` plus the system fields. */
export function moduleFields(module: string): FakeFieldMeta[] {
  switch (module) {
    case 'Deals':
      return [
        field('Deal_Name', 'text', { length: 120, system_mandatory: true }),
        field('Amount', 'currency'),
        field('Stage', 'picklist', { system_mandatory: true, values: STAGES }),
        field('Closing_Date', 'date'),
        field('Probability', 'integer', { length: 3 }),
        field('Type', 'picklist', { values: ['-None-', 'New Business', 'Existing Business'] }),
        field('Lead_Source', 'picklist', { values: LEAD_SOURCES }),
        field('Account_Name', 'lookup'),
        field('Contact_Name', 'lookup'),
        field('Description', 'textarea', { length: 32_000 }),
        ...system(),
      ];
    case 'Contacts':
      return [
        field('First_Name', 'text', { length: 40 }),
        field('Last_Name', 'text', { length: 80, system_mandatory: true }),
        field('Email', 'email', { length: 100 }),
        field('Phone', 'phone', { length: 30 }),
        field('Title', 'text', { length: 100 }),
        field('Account_Name', 'lookup'),
        field('Lead_Source', 'picklist', { values: LEAD_SOURCES }),
        field('Mailing_City', 'text', { length: 30 }),
        ...system(),
      ];
    case 'Accounts':
      return [
        field('Account_Name', 'text', { length: 200, system_mandatory: true }),
        field('Phone', 'phone', { length: 30 }),
        field('Website', 'website', { length: 255 }),
        field('Industry', 'picklist', { values: ['-None-', 'Construction', 'Retail', 'Energy'] }),
        field('Annual_Revenue', 'currency'),
        field('Employees', 'integer', { length: 9 }),
        field('Billing_City', 'text', { length: 30 }),
        ...system(),
      ];
    case 'Leads':
      return [
        field('First_Name', 'text', { length: 40 }),
        field('Last_Name', 'text', { length: 80, system_mandatory: true }),
        field('Company', 'text', { length: 200 }),
        field('Email', 'email', { length: 100 }),
        field('Phone', 'phone', { length: 30 }),
        field('Lead_Status', 'picklist', {
          values: ['-None-', 'Not Contacted', 'Contacted', 'Qualified', 'Lost Lead'],
        }),
        field('Lead_Source', 'picklist', { values: LEAD_SOURCES }),
        field('Annual_Revenue', 'currency'),
        ...system(),
      ];
    default:
      return [field('Name', 'text', { length: 120, system_mandatory: true }), ...system()];
  }
}

/** A sample record of `module` numbered `n` (its id, times and owner are set by the caller). */
export function sampleValues(module: string, n: number): Record<string, unknown> {
  const region = REGIONS[n % REGIONS.length];
  const owner = { ...USER };
  const common = { Owner: owner, Created_By: owner, Modified_By: owner, Install_Region: region };
  switch (module) {
    case 'Deals':
      return {
        ...common,
        Deal_Name: `Deal ${n}`,
        Amount: 1_000 + n * 25.5,
        Stage: STAGES[n % STAGES.length],
        Closing_Date: `2027-0${1 + (n % 9)}-15`,
        Probability: (n * 7) % 100,
        Type: 'New Business',
        Lead_Source: 'Cold Call',
        Account_Name: { id: recordId(900_000 + n), name: `Account ${n}` },
        Contact_Name: { id: recordId(800_000 + n), name: `Contact ${n}` },
        Description: null,
      };
    case 'Contacts':
      return {
        ...common,
        First_Name: 'Contact',
        Last_Name: String(n),
        Email: `contact${n}@example.com`,
        Phone: `+1 555 010 ${String(n % 10_000).padStart(4, '0')}`,
        Title: 'Buyer',
        Account_Name: { id: recordId(900_000 + n), name: `Account ${n}` },
        Lead_Source: 'Web Download',
        Mailing_City: 'Austin',
      };
    case 'Accounts':
      return {
        ...common,
        Account_Name: `Account ${n}`,
        Phone: `+1 555 020 ${String(n % 10_000).padStart(4, '0')}`,
        Website: `https://account${n}.example.com`,
        Industry: 'Construction',
        Annual_Revenue: n * 10_000,
        Employees: 10 + n,
        Billing_City: 'Denver',
      };
    case 'Leads':
      return {
        ...common,
        First_Name: 'Lead',
        Last_Name: String(n),
        Company: `Company ${n}`,
        Email: `lead${n}@example.com`,
        Phone: `+1 555 030 ${String(n % 10_000).padStart(4, '0')}`,
        Lead_Status: 'Not Contacted',
        Lead_Source: 'Trade Show',
        Annual_Revenue: n * 1_000,
      };
    default:
      return { ...common, Name: `${module} ${n}` };
  }
}

/** The org's time zone offset, as Zoho writes times: `2024-05-01T10:20:30+05:30`. */
export function zohoTime(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}
