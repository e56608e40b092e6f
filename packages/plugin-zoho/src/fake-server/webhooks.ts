/** A Zoho CRM notification as Zoho posts it to a channel's `notify_url`. */
export interface ZohoNotification {
  module: string;
  ids: string[];
  operation: 'insert' | 'update' | 'delete';
  /** The channel's token, echoed in every notification. */
  token: string;
  channelId?: string;
  serverTime?: number;
}

/**
 * Posts a notification the way Zoho does (API v8 body: `module` as `{api_name, id}`, the
 * channel's `token` in the body). Resolves with the status.
 */
export async function sendZohoNotification(url: string, n: ZohoNotification): Promise<number> {
  const body = JSON.stringify({
    server_time: n.serverTime ?? Date.now(),
    query_params: {},
    module: { api_name: n.module, id: '3652397000000002175' },
    resource_uri: `https://www.zohoapis.com/crm/v8/${n.module}`,
    ids: n.ids,
    affected_fields: [],
    operation: n.operation,
    channel_id: n.channelId ?? '1000000068001',
    token: n.token,
  });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
