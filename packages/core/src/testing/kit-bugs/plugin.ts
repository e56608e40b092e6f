import { defineCrmPlugin } from '../../contracts/define-plugin.js';
import { CrmsyncError, isCrmsyncError } from '../../contracts/errors.js';
import {
  type CrmPlugin,
  CORE_CONTRACT_VERSION,
  defineEntity,
  type FetchRequest,
  type Page,
} from '../../contracts/plugin.js';
import { bearerAuth } from '../../http/auth.js';
import { HttpClient } from '../../http/http-client.js';
import { WIDGETS_MAX_PAGE, type Widget } from './fake.js';

/** The bugs the kit's own tests plant, one at a time, in the widgets plugin. */
export const KIT_BUGS = [
  'ignores-checkpoint',
  'drops-end-date',
  'shifts-since',
  'shifts-since-earlier',
  'includes-until',
  'never-soft-deletes',
  'no-cursor-follow',
  'ignores-batch-size',
  'no-page-size-cap',
  'accepts-wrong-auth',
  'misclassifies-auth',
  'drops-custom-fields',
] as const;

export type KitBug = (typeof KIT_BUGS)[number];

interface WidgetsPage {
  data: Widget[];
  next_cursor: string | null;
}

/**
 * A small, correct plugin for the fake Widgets CRM — or, given a bug, the same plugin with
 * that one mistake in it. The kit must pass the first and fail each of the others.
 */
export function widgetsPlugin(bug?: KitBug): CrmPlugin<HttpClient> {
  async function* pages(http: HttpClient, request: FetchRequest): AsyncGenerator<Page<Widget>> {
    const start = request.checkpoint?.cursor;
    let cursor = typeof start === 'string' && bug !== 'ignores-checkpoint' ? start : undefined;
    const shift = bug === 'shifts-since' ? 60_000 : bug === 'shifts-since-earlier' ? -60_000 : 0;
    // One millisecond past the bound turns the fake's `<` into `<=`.
    const until =
      request.until && new Date(request.until.getTime() + (bug === 'includes-until' ? 1 : 0));
    const since = request.since && new Date(request.since.getTime() + shift).toISOString();
    const limit =
      bug === 'ignores-batch-size'
        ? 25
        : bug === 'no-page-size-cap'
          ? request.batchSize
          : Math.min(request.batchSize, WIDGETS_MAX_PAGE);
    for (;;) {
      const query = {
        limit,
        cursor,
        updated_since: since,
        updated_before: bug === 'drops-end-date' ? undefined : until?.toISOString(),
      };
      let body: WidgetsPage;
      try {
        ({ body } = await http.get<WidgetsPage>('/widgets', { query, signal: request.signal }));
      } catch (error) {
        if (!isCrmsyncError(error) || error.kind !== 'auth') throw error;
        if (bug === 'accepts-wrong-auth') return;
        if (bug === 'misclassifies-auth')
          throw new CrmsyncError('transient', 'widgets: the request failed', { crm: 'widgets' });
        throw error;
      }
      const archived = body.data.filter((w) => w.archived).map((w) => w.id);
      yield {
        records: body.data.filter((w) => !w.archived),
        ...(archived.length && bug !== 'never-soft-deletes' && { deletedIds: archived }),
        ...(body.next_cursor && { checkpoint: { cursor: body.next_cursor } }),
      };
      if (!body.next_cursor || bug === 'no-cursor-follow') return;
      cursor = body.next_cursor;
    }
  }

  const widgets = defineEntity<HttpClient, Widget>({
    name: 'widgets',
    primaryKey: 'id',
    delta: { kind: 'updated-since', field: 'updated_at' },
    updatedAtField: 'updated_at',
    createdAtField: 'created_at',
    fields: {
      id: { type: 'object_id', required: true },
      name: { type: 'string' },
      email: { type: 'email' },
      tier: { type: 'string', source: bug === 'drops-custom-fields' ? 'tier' : 'custom.tier' },
      created_at: { type: 'datetime' },
      updated_at: { type: 'datetime' },
    },
    fetch: (http, request) => pages(http, request),
  });

  return defineCrmPlugin<HttpClient>({
    contractVersion: CORE_CONTRACT_VERSION,
    name: 'widgets',
    displayName: 'Widgets (kit test CRM)',
    kind: 'api',
    config: {
      WIDGETS_TOKEN: {
        env: 'WIDGETS_TOKEN',
        description: 'API token',
        secret: true,
        required: true,
      },
      WIDGETS_BASE_URL: { env: 'WIDGETS_BASE_URL', description: 'API base URL', type: 'url' },
    },
    entities: [widgets],
    createClient: ({ config, metrics }) =>
      new HttpClient({
        crm: 'widgets',
        baseUrl: String(config.WIDGETS_BASE_URL),
        auth: bearerAuth(String(config.WIDGETS_TOKEN)),
        metrics,
        backoffMs: 20,
      }),
  });
}
