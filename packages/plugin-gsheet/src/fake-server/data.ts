import type { Cell } from './server.js';

const DAY = 86_400_000;
const DIVISIONS = ['Albany', 'Philadelphia', 'Richmond', 'Baltimore'];
const CHANNELS = ['Google Ads', 'Facebook', 'Events', 'Direct Mail', 'Radio'];
const FIRST = ['Ava', 'Ben', 'Cleo', 'Dan', 'Eve', 'Finn'];
const LAST = ['Adams', 'Brown', 'Clark', 'Diaz', 'Evans'];

export const MARKETING_LEADS_HEADER = [
  'lead_id',
  'created_at',
  'first_name',
  'last_name',
  'email',
  'phone',
  'division',
  'source',
  'medium',
  'campaign',
  'status',
  'notes',
];

/** Rows of a marketing-leads tab: the header, then `count` leads over the past 90 days. */
export function marketingLeadRows(count: number, first = 1, now = Date.now()): Cell[][] {
  const rows: Cell[][] = first === 1 ? [[...MARKETING_LEADS_HEADER]] : [];
  for (let n = first; n < first + count; n++) {
    const at = new Date(now - ((n * 7919) % 90) * DAY - n * 60_000);
    const row: Cell[] = [
      { value: 100_000 + n, formatted: String(100_000 + n) },
      at.toISOString().slice(0, 19).replace('T', ' '),
      FIRST[n % FIRST.length] ?? '',
      LAST[n % LAST.length] ?? '',
      `lead${n}@example.com`,
      `(555) 01${String(n % 100).padStart(2, '0')}-${String(1000 + (n % 9000))}`,
      DIVISIONS[n % DIVISIONS.length] ?? '',
      CHANNELS[n % CHANNELS.length] ?? '',
      n % 2 === 0 ? 'cpc' : 'social',
      n % 3 === 0 ? 'Spring Roofing' : '',
      n % 5 === 0 ? 'Booked' : 'New',
      // Trailing empty cells: Google drops them, so rows come back shorter than the header.
      n % 4 === 0 ? 'Call after 5pm' : '',
    ];
    rows.push(row);
  }
  return rows;
}

export const MARKETING_SPENDS_HEADER = [
  'Date',
  'Cost',
  'Division',
  'Channel',
  'Campaign',
  'Campaign ID',
  'Campaign Type',
  'event_start_date',
  'event_end_date',
  'event_fee',
  'event_labor_cost',
];

export function marketingSpendRows(count: number, now = Date.now()): Cell[][] {
  const rows: Cell[][] = [[...MARKETING_SPENDS_HEADER]];
  for (let n = 1; n <= count; n++) {
    const day = new Date(now - (n % 90) * DAY);
    const cost = Math.round(((n * 7919) % 500_000) + 1000) / 100;
    const isEvent = n % 7 === 0;
    rows.push([
      {
        value: 45000 + (n % 90),
        formatted: `${day.getUTCMonth() + 1}/${day.getUTCDate()}/${day.getUTCFullYear()}`,
      },
      { value: cost, formatted: `$${cost.toLocaleString('en-US', { minimumFractionDigits: 2 })}` },
      DIVISIONS[n % DIVISIONS.length] ?? '',
      CHANNELS[n % CHANNELS.length] ?? '',
      `Campaign ${n % 12}`,
      `C-${1000 + (n % 12)}`,
      isEvent ? 'event' : 'digital',
      isEvent ? day.toISOString().slice(0, 10) : '',
      isEvent ? day.toISOString().slice(0, 10) : '',
      isEvent ? { value: 250, formatted: '$250.00' } : '',
      isEvent ? { value: 400, formatted: '$400.00' } : '',
    ]);
  }
  return rows;
}
