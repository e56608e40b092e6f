import { createRequire } from 'node:module';

/**
 * Value pools drawn once from @faker-js/faker with a fixed seed. Records pick from them with
 * a fast hash, so record i is the same on every page, every run and every machine, and a
 * million records are served without calling faker a million times.
 */
export interface Pools {
  firstNames: string[];
  lastNames: string[];
  companies: string[];
  domains: string[];
  cities: Array<{ city: string; state: string; zip: string }>;
  industries: string[];
  words: string[];
}

let cached: Pools | undefined;

export function pools(): Pools {
  if (cached) return cached;
  // Required when the first record is made, not on import: the plugin's entry re-exports the
  // fake server, and `crmsync list` and syncs of other CRMs load it without faker's modules.
  const { en, Faker } = createRequire(import.meta.url)(
    '@faker-js/faker',
  ) as typeof import('@faker-js/faker');
  const f = new Faker({ locale: [en] });
  f.seed(20_261_122);
  const many = <T>(n: number, make: () => T) => Array.from({ length: n }, make);
  const companies = many(500, () => f.company.name());
  cached = {
    firstNames: many(400, () => f.person.firstName()),
    lastNames: many(400, () => f.person.lastName()),
    companies,
    domains: companies.map(
      (c, i) =>
        `${c
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')}-${i}.example.com`,
    ),
    cities: many(300, () => ({
      city: f.location.city(),
      state: f.location.state({ abbreviated: true }),
      zip: f.location.zipCode('#####'),
    })),
    industries: many(40, () => f.commerce.department()),
    words: many(300, () => f.word.noun()),
  };
  return cached;
}

/** A 32-bit hash of integers (splitmix-style): the deterministic "random" of a record. */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export function pick<T>(list: readonly T[], ...parts: number[]): T {
  return list[mix(...parts) % list.length] as T;
}
