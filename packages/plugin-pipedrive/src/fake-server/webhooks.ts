import { randomUUID } from 'node:crypto';

/**
 * Posts a webhooks-v2 delivery the way Pipedrive does: `{data, previous, meta}` with the
 * webhook's HTTP Basic credentials. Resolves with the status.
 */
export async function sendPipedriveWebhook(
  url: string,
  event: {
    action: 'create' | 'change' | 'delete';
    entity: 'deal' | 'person' | 'organization' | 'activity';
    id: number;
    data?: Record<string, unknown> | null;
  },
  credentials: { user: string; password: string },
): Promise<number> {
  const body = JSON.stringify({
    data: event.action === 'delete' ? null : (event.data ?? { id: event.id }),
    previous: null,
    meta: {
      action: event.action,
      entity: event.entity,
      entity_id: String(event.id),
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      version: '2.0',
      company_id: '1',
      user_id: '1',
      is_bulk_edit: false,
      change_source: 'app',
    },
  });
  const auth = Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64');
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${auth}` },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
