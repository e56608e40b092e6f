import { type FakeContact, Five9Fake, type Five9FakeOptions, fakeContact } from './server.js';

const DAY = 86_400_000;

/** Plugin config pointing at a fake. */
export function five9Config(fake: Five9Fake, extra: Record<string, unknown> = {}) {
  return {
    FIVE9_USERNAME: fake.username,
    FIVE9_PASSWORD: fake.password,
    FIVE9_BASE_URL: fake.endpoint,
    FIVE9_RATE_LIMIT_WAIT_MS: 1000,
    FIVE9_REPORT_POLL_MS: 5,
    FIVE9_RECORD_CAP: fake.cap,
    ...extra,
  };
}

/** `size` contacts with ten-digit numbers spread over the ten first digits. */
export function seedContacts(
  fake: Five9Fake,
  size: number,
  at: (i: number) => number,
): FakeContact[] {
  const list = Array.from({ length: size }, (_, i) => fakeContact(i + 1, phone(i + 1), at(i)));
  fake.contacts.push(...list);
  return list;
}

/** A ten-digit number for contact `n`, its first digit cycling so partitions are all used. */
export const phone = (n: number) =>
  `${n % 10}${String((n * 7_919) % 1_000_000_000).padStart(9, '0')}`;

/**
 * The kit's fixture for `contacts` (a `none` entity without a report; `report: true` for the
 * report-delta variant) and `contact_fields`.
 */
export async function startFive9KitFixture(
  entity: string,
  size: number,
  options: Five9FakeOptions & { report?: boolean } = {},
) {
  // A cap of 10 (Five9's is 1,000) so the kit's 40 contacts are read in split partitions:
  // the kit's paging, resume and max-records scenarios then see several pages.
  const fake = await Five9Fake.start({ cap: 10, ...options });
  const now = Date.now();
  let next = size + 1;
  if (entity === 'contact_fields') {
    fake.fieldDefs.splice(0, fake.fieldDefs.length);
    for (let i = 0; i < size; i++)
      fake.fieldDefs.push({ name: `field_${i + 1}`, type: 'STRING', system: false });
  } else seedContacts(fake, size, (i) => now - 90 * DAY + Math.floor((i * 89 * DAY) / size));
  const ids = (list: FakeContact[]) => list.map((c) => c.values.contactID as string);
  const fields = entity === 'contact_fields';
  return {
    fake,
    config: five9Config(
      fake,
      options.report ? { FIVE9_CONTACTS_REPORT: `${fake.report.folder}/${fake.report.name}` } : {},
    ),
    pluginOptions: {},
    badCredentials: { FIVE9_PASSWORD: 'not-the-five9-password' },
    async mutate(count: number) {
      if (fields) {
        const changed = fake.fieldDefs.slice(0, count);
        for (const f of changed) f.type = 'NUMBER';
        return changed.map((f) => f.name);
      }
      const changed = fake.contacts.slice(0, count);
      for (const c of changed) {
        c.values.last_name = `Changed ${c.values.contactID}`;
        c.modifiedAt = Date.now();
      }
      return ids(changed);
    },
    async addRecords(count: number, at: Date) {
      if (fields) {
        const added = Array.from({ length: count }, () => ({
          name: `field_${next++}`,
          type: 'STRING',
          system: false,
        }));
        fake.fieldDefs.push(...added);
        return added.map((f) => f.name);
      }
      const added = Array.from({ length: count }, () => {
        const n = next++;
        return fakeContact(n, phone(n), at.getTime());
      });
      fake.contacts.push(...added);
      return ids(added);
    },
    async corrupt(count: number) {
      if (fields) {
        const broken = fake.fieldDefs.slice(-count);
        const names = broken.map((f) => f.name);
        for (const f of broken) f.name = '';
        // A field without a name has no key: the kit looks the records up by their old ids.
        return names;
      }
      const broken = fake.contacts.slice(-count);
      for (const c of broken) c.values.email = 'not an email';
      return ids(broken);
    },
    async remove(count: number) {
      if (fields) return fake.fieldDefs.splice(0, count).map((f) => f.name);
      return ids(fake.contacts.splice(0, count));
    },
    injectFault(
      fault:
        | { kind: 'rate-limit'; retryAfterSeconds: number }
        | { kind: 'server-error'; count: number },
    ) {
      // Five9 throttles with a SOAP fault (OperationsLimitExceededException, HTTP 500) and no
      // Retry-After: the client waits FIVE9_RATE_LIMIT_WAIT_MS (1 s here).
      if (fault.kind === 'rate-limit') fake.throttle(1);
      else fake.api.fault({ status: 500, times: fault.count });
    },
    requestedPageSizes: () => [],
    close: () => fake.close(),
  };
}
