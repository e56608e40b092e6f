import { FakeApi, ok, reply } from '@crmsync/core/fake-api';

/** `e001` … : the fleet plugin's entity names for `count` entities (as fleet-plugin.mjs names them). */
export function fleetEntityNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `e${String(i + 1).padStart(3, '0')}`);
}

export interface FleetRecord {
  id: string;
  name: string;
  amount: number;
}

export interface FleetFakeOptions {
  entities: number;
  /** Records per entity; default 40. */
  records?: number;
  /** Records of particular entities, where they differ from `records`. */
  recordsOf?: Record<string, number>;
  /** Records per page; default 20 (so 2 requests per entity by default). */
  pageSize?: number;
  latencyMs?: number;
  token?: string;
}

export interface FleetFake {
  url: string;
  token: string;
  entities: string[];
  /** What the CRM holds for an entity: what the store must equal after a sync. */
  records(entity: string): FleetRecord[];
  /** Requests answered for an entity's first page: one per read of that entity. */
  reads(entity: string): number;
  close(): Promise<void>;
}

/**
 * The fleet CRM on the fake-API kit, on 127.0.0.1: `GET /v1/<entity>/records?page=N` with
 * `Authorization: Bearer <token>`, `latencyMs` before every answer, pages of `pageSize`.
 */
export async function startFleetFake(options: FleetFakeOptions): Promise<FleetFake> {
  const token = options.token ?? 'fleet-token';
  const perEntity = options.records ?? 40;
  const pageSize = options.pageSize ?? 20;
  const entities = fleetEntityNames(options.entities);
  const known = new Set(entities);
  const records = (entity: string): FleetRecord[] =>
    Array.from({ length: options.recordsOf?.[entity] ?? perEntity }, (_, i) => ({
      id: `${entity}-${String(i + 1).padStart(5, '0')}`,
      name: `${entity} record ${i + 1}`,
      amount: (i * 37) % 1000,
    }));
  const firstPages = new Map<string, number>();
  const api = new FakeApi({
    name: 'fleet',
    auth: { kind: 'bearer', token },
    latencyMs: options.latencyMs ?? 0,
  });
  api.get('/v1/:entity/records', (request) => {
    const entity = request.params.entity as string;
    if (!known.has(entity)) return reply(404, { error: `no entity ${entity}` });
    const page = Number(request.query.get('page') ?? '1');
    if (page === 1) firstPages.set(entity, (firstPages.get(entity) ?? 0) + 1);
    const all = records(entity);
    const data = all.slice((page - 1) * pageSize, page * pageSize);
    return ok({ data, next_page: page * pageSize < all.length ? page + 1 : null });
  });
  const url = await api.listen();
  return {
    url,
    token,
    entities,
    records,
    reads: (entity) => firstPages.get(entity) ?? 0,
    close: () => api.close(),
  };
}
