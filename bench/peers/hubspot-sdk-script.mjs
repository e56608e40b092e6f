// The peer: what a user writes by hand to copy HubSpot contacts into SQLite — HubSpot's official
// SDK paging the v3 list API, better-sqlite3 upserting each page in one transaction.
// Usage: node hubspot-sdk-script.mjs <baseUrl> <token> <sqlite file>
import { Client } from '@hubspot/api-client';
import Database from 'better-sqlite3';

const [basePath, accessToken, file] = process.argv.slice(2);
const props = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'company',
  'address',
  'city',
  'state',
  'zip',
  'lifecyclestage',
  'hubspot_owner_id',
  'createdate',
  'lastmodifieddate',
];
// limiterOptions: the SDK's own request spacing off, as the crmsync run has its limit off.
const hubspot = new Client({
  accessToken,
  basePath,
  limiterOptions: { maxConcurrent: null, minTime: 0 },
});
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.exec(
  'CREATE TABLE IF NOT EXISTS contacts (id TEXT PRIMARY KEY, properties TEXT NOT NULL, updated_at TEXT NOT NULL, archived INTEGER NOT NULL)',
);
const upsert = db.prepare(
  'INSERT INTO contacts VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET properties = excluded.properties, updated_at = excluded.updated_at, archived = excluded.archived',
);
const savePage = db.transaction((rows) => {
  for (const c of rows)
    upsert.run(c.id, JSON.stringify(c.properties), c.updatedAt.toISOString(), c.archived ? 1 : 0);
});
let after;
let count = 0;
do {
  const page = await hubspot.crm.contacts.basicApi.getPage(
    100,
    after,
    props,
    undefined,
    undefined,
    false,
  );
  savePage(page.results);
  count += page.results.length;
  after = page.paging?.next?.after;
} while (after);
db.close();
console.log(JSON.stringify({ count }));
