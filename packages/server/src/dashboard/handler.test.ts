import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRuns } from '../api/test-seed.js';
import { startTestApi, type TestApi } from '../api/test-support.js';
import { csvCell } from './csv.js';
import { createDashboardHandler } from './index.js';

/** Spreadsheet formulas a CRM field could carry into an export (OWASP CSV injection). */
const FORMULAS = ['=HYPERLINK("http://x")', '+1+1', '-1+1', '@SUM(A1)', '\tTAB', '\rCR'];

describe('the dashboard handler', () => {
  let t: TestApi;
  let dir: string;
  let base: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'crmsync-dashboard-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>crmsync</title>');
    writeFileSync(path.join(dir, 'notes.constructor'), 'not a known type');
    let handler: ReturnType<typeof createDashboardHandler> | undefined;
    t = await startTestApi({
      provider: 'sqlite',
      extraHandler: (req, res) => handler?.(req, res) ?? false,
    });
    handler = createDashboardHandler({ runtime: t.runtime, dashboardDir: dir, apiToken: null });
    base = t.api.url.replace(/\/graphql$/, '');
    const [runId] = await seedRuns(t.store.prisma, [
      { crm: 'callrail', entity: 'calls', status: 'success', startedMinutesAgo: 1 },
    ]);
    await t.store.upsertRecords(
      'callrail',
      'calls',
      FORMULAS.map((name, i) => ({
        externalId: `F${i}`,
        data: { id: `F${i}`, customer_name: name, duration: -i },
        hash: `f${i}`,
      })),
      { runId: runId!, policy: 'overwrite' },
    );
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const exportUrl = (query: string) =>
    `${base}/export/records.csv?crm=callrail&entity=calls&${query}`;

  it('neutralises cells a spreadsheet would run as a formula, keeping numbers as numbers', async () => {
    const res = await fetch(exportUrl('sort=id:ASC'));
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\r\n');
    const header = lines[0]!.split(',');
    const name = header.indexOf('customer_name');
    const duration = header.indexOf('duration');
    const rows = lines.slice(1, -1).map((l) => l.split(','));
    expect(rows.map((r) => r[name])).toEqual([
      `"'=HYPERLINK(""http://x"")"`,
      "'+1+1",
      "'-1+1",
      "'@SUM(A1)",
      "'\tTAB",
      `"'\rCR"`,
    ]);
    expect(rows.map((r) => r[duration])).toEqual(['0', '-1', '-2', '-3', '-4', '-5']);
    expect(csvCell('plain')).toBe('plain');
  });

  it('answers 400 to an inherited member as sort field or filter operator, or a malformed filter', async () => {
    for (const query of [
      'sort=constructor:ASC',
      'sort=__proto__:DESC',
      `filters=${encodeURIComponent('[{"field":"constructor","op":"EQUALS","value":"x"}]')}`,
      `filters=${encodeURIComponent('[{"field":"duration","op":"constructor","value":"1"}]')}`,
      `filters=${encodeURIComponent('[{"field":"customer_name","op":"CONTAINS","value":{"a":1}}]')}`,
      `filters=${encodeURIComponent('[null]')}`,
    ]) {
      const res = await fetch(exportUrl(query));
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect((await res.json()) as { error: string }).toMatchObject({
        error: expect.stringMatching(/^Invalid (sort|filters)/),
      });
    }
  });

  it('answers 400 to a static path with a bad %-encoding, and serves files of unknown type', async () => {
    for (const bad of ['/%', '/%E0%A4%A', '/assets/%zz.js'])
      expect((await fetch(`${base}${bad}`)).status).toBe(400);
    const odd = await fetch(`${base}/notes.constructor`);
    expect(odd.status).toBe(200);
    expect(odd.headers.get('content-type')).toBe('application/octet-stream');
    expect(await odd.text()).toBe('not a known type');
    expect(await (await fetch(`${base}/some/route`)).text()).toContain('<title>crmsync</title>');
  });
});
