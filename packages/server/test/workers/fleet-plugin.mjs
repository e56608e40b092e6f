// A plugin for the scale-out tests and the `workers` bench, loaded by path from a config file's
// `load` (plain JavaScript, as a user's own plugin would be). "Fleet" has as many entities as
// FLEET_ENTITIES says (`e001`, `e002`, …), each read page by page from the fake in
// fleet-fake.ts: GET /v1/<entity>/records?page=N with a bearer token, answering
// `{ data: [...], next_page: N + 1 | null }`. Many entities of one latency-bound CRM is what
// a queue of scheduled syncs looks like to the workers.

const fields = {
  id: { type: 'string', required: true },
  name: { type: 'string' },
  amount: { type: 'integer' },
};

/** `e001` … : the entity names for `count` entities (fleet-fake.ts spells them alike). */
function fleetEntityNames(count) {
  return Array.from({ length: count }, (_, i) => `e${String(i + 1).padStart(3, '0')}`);
}

function entity(name) {
  return {
    name,
    primaryKey: 'id',
    delta: { kind: 'none' },
    fields,
    async *fetch(client, request) {
      for (let page = 1; page; ) {
        const response = await fetch(`${client.url}/v1/${name}/records?page=${page}`, {
          headers: { authorization: `Bearer ${client.token}` },
          signal: request.signal,
        });
        if (!response.ok)
          throw new Error(
            `fleet ${name} page ${page}: HTTP ${response.status} ${await response.text()}`,
          );
        const body = await response.json();
        yield { records: body.data };
        page = body.next_page;
      }
    },
  };
}

export const plugin = {
  contractVersion: 1,
  name: 'fleet',
  displayName: 'Fleet (scale-out test CRM)',
  kind: 'api',
  config: {
    url: {
      env: 'FLEET_URL',
      type: 'url',
      required: true,
      description: 'Base URL of the fleet fake',
    },
    token: { env: 'FLEET_TOKEN', secret: true, required: true, description: 'Bearer token' },
    entities: {
      env: 'FLEET_ENTITIES',
      type: 'integer',
      default: 4,
      description: 'How many entities',
    },
  },
  entities: fleetEntityNames(4).map(entity),
  configureEntities: (config) => fleetEntityNames(Number(config.entities ?? 4)).map(entity),
  createClient: ({ config }) => ({ url: String(config.url), token: String(config.token) }),
};
export default plugin;
