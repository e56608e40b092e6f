import type { FakerEntity, FakerRecord } from '../types.js';
import { mix, pick, pools } from './pools.js';

const DAY = 86_400_000;
const ENTITIES: readonly FakerEntity[] = ['contacts', 'companies', 'deals', 'activities'];
const STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
];
const DEAL_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
];
const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note'];

export interface RecordContext {
  seed: number;
  /** Sizes of the entities others refer to, so every reference points at a record that exists. */
  sizes: { contacts: number; companies: number };
}

export interface RecordKey {
  id: number;
  created: number;
  updated: number;
  /** Times the record was edited: edits change a few fields (stage, score, amount). */
  version: number;
  /** Serve it invalid (an email that is not one, a required name missing). */
  corrupt: boolean;
}

/**
 * One record's content: a pure function of the seed, the entity and the id (plus its edit
 * count), so record i is the same on every page, every run and every machine.
 */
export function fakeRecord(entity: FakerEntity, ctx: RecordContext, key: RecordKey): FakerRecord {
  const { id, created, updated, version, corrupt } = key;
  const P = pools();
  const h = (salt: number) => mix(ctx.seed, ENTITIES.indexOf(entity), id, salt);
  const times = {
    created_at: new Date(created).toISOString(),
    updated_at: new Date(updated).toISOString(),
    version,
  };
  switch (entity) {
    case 'contacts': {
      const first = pick(P.firstNames, ctx.seed, id, 1);
      const last = pick(P.lastNames, ctx.seed, id, 2);
      const place = pick(P.cities, ctx.seed, id, 3);
      const company = (h(4) % ctx.sizes.companies) + 1;
      // About one contact in 25 has neither email nor phone, as real CRMs do.
      const unreachable = h(5) % 25 === 0;
      const email = corrupt
        ? 'not-an-email'
        : unreachable
          ? null
          : `${first}.${last}.${id}@${pick(P.domains, ctx.seed, company)}`.toLowerCase();
      const phone =
        unreachable || corrupt
          ? null
          : `(${200 + (h(6) % 700)}) ${100 + (h(7) % 900)}-${String(h(8) % 10_000).padStart(4, '0')}`;
      return {
        id: String(id),
        first_name: first,
        last_name: last,
        email,
        phone,
        company_id: String(company),
        city: place.city,
        state: place.state,
        zip: place.zip,
        lifecycle_stage: STAGES[(h(9) + version) % STAGES.length] as string,
        score: (h(10) + version * 7) % 100,
        ...times,
      };
    }
    case 'companies': {
      const place = pick(P.cities, ctx.seed, id, 13);
      return {
        id: String(id),
        name: corrupt ? null : pick(P.companies, ctx.seed, id),
        domain: `https://${pick(P.domains, ctx.seed, id)}`,
        phone: `(${200 + (h(1) % 700)}) ${100 + (h(2) % 900)}-${String(h(3) % 10_000).padStart(4, '0')}`,
        industry: pick(P.industries, ctx.seed, id, 4),
        employees: 1 + (h(5) % 5000),
        annual_revenue: (((h(6) % 5_000_000) + version * 1000) / 100) * 100,
        city: place.city,
        state: place.state,
        zip: place.zip,
        ...times,
      };
    }
    case 'deals': {
      const close = created + ((h(3) % 120) - 10) * DAY;
      return {
        id: String(id),
        name: corrupt
          ? null
          : `${pick(P.words, ctx.seed, id, 1)} ${pick(P.words, ctx.seed, id, 2)} deal`,
        amount: ((h(4) % 10_000_000) + version * 500) / 100,
        stage: DEAL_STAGES[(h(5) + version) % DEAL_STAGES.length] as string,
        contact_id: String((h(6) % Math.max(1, ctx.sizes.contacts)) + 1),
        company_id: String((h(7) % Math.max(1, ctx.sizes.companies)) + 1),
        close_date: new Date(close).toISOString().slice(0, 10),
        ...times,
      };
    }
    case 'activities':
      return {
        id: String(id),
        type: ACTIVITY_TYPES[h(1) % ACTIVITY_TYPES.length] as string,
        subject: corrupt ? null : `${pick(P.words, ctx.seed, id, 2)} follow-up`,
        contact_id: String((h(3) % Math.max(1, ctx.sizes.contacts)) + 1),
        occurred_at: new Date(created + (h(4) % DAY)).toISOString(),
        duration_seconds: (h(5) % 3600) + version,
        ...times,
      };
  }
}
