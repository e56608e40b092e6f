import { type FakeApi, jsonBody, ok, reply } from '@crmsync/core/fake-api';
import { fail } from './errors.js';
import type { ZohoLimits } from './limits.js';
import type { FakeZohoOrg } from './org.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const OPERATIONS = ['all', 'create', 'edit', 'delete'];

/** One module a channel watches. */
export interface FakeWatch {
  channelId: string;
  module: string;
  /** `Deals.create`, `Deals.edit`, … (`Deals.all` expanded). */
  events: string[];
  notifyUrl: string;
  token?: string;
  /** On the fake's clock. */
  expiresAt: number;
  notifyOnRelatedAction: boolean;
}

/**
 * Zoho CRM's Notification APIs (v8) as Zoho's documentation describes them — they are not in
 * crm-specs/zoho (https://www.zoho.com/crm/developer/docs/api/v8/notifications/enable.html,
 * get-details.html, disable.html; the expiry limits from Zoho's "Kaizen #170: FAQs on
 * Notification APIs": from v4 on, default one hour, at most one week):
 *
 * - `POST /crm/v8/actions/watch` `{watch: [{channel_id, events: ['Deals.all' | 'Deals.create'
 *   | 'Deals.edit' | 'Deals.delete'], notify_url, token?, channel_expiry?}]}`: subscribes (or,
 *   for a channel and module already watched, re-subscribes: a new expiry and URL), answering
 *   `{watch: [{code: SUCCESS, details: {events: [{channel_expiry, resource_uri, resource_id,
 *   resource_name, channel_id}]}, message, status}]}`. `token` is at most 50 characters.
 * - `GET /crm/v8/actions/watch` lists the live subscriptions, one entry per channel and module
 *   (`channel_id`, `events`, `notify_url`, `token`, `channel_expiry`, `resource_name`, …), 204
 *   when there are none; expired channels are gone.
 * - `DELETE /crm/v8/actions/watch?channel_ids=a,b` unsubscribes those channels.
 * UNCONFIRMED: the error a `channel_expiry` past one week gets (INVALID_DATA here).
 */
export function mountWatchRoutes(api: FakeApi, org: FakeZohoOrg, limits: ZohoLimits) {
  const watches: FakeWatch[] = [];
  const live = () => {
    const now = api.clock.now();
    for (let i = watches.length - 1; i >= 0; i--)
      if ((watches[i]?.expiresAt ?? 0) <= now) watches.splice(i, 1);
    return watches;
  };
  const resource = (module: string) => ({
    resource_uri: `${api.url}/crm/v8/${module}`,
    resource_id: String(3652397000000002000 + [...org.modules.keys()].indexOf(module)),
    resource_name: module,
  });

  api.post(
    '/crm/v8/actions/watch',
    limits.guard(1, (request) => {
      const body = jsonBody(request) as { watch?: unknown } | undefined;
      if (!Array.isArray(body?.watch) || body.watch.length === 0)
        throw fail(400, 'MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'watch' });
      const answers = body.watch.map((raw: Record<string, unknown>) => {
        const invalid = (apiName: string) =>
          fail(400, 'INVALID_DATA', 'invalid data', { api_name: apiName });
        const missing = (apiName: string) =>
          fail(400, 'MANDATORY_NOT_FOUND', 'required field not found', { api_name: apiName });
        const channelId = raw.channel_id;
        if (channelId === undefined) throw missing('channel_id');
        if (!/^\d+$/.test(String(channelId))) throw invalid('channel_id');
        if (typeof raw.notify_url !== 'string') throw missing('notify_url');
        if (!/^https?:\/\//.test(raw.notify_url)) throw invalid('notify_url');
        if (!Array.isArray(raw.events) || raw.events.length === 0) throw missing('events');
        if (raw.token !== undefined && (typeof raw.token !== 'string' || raw.token.length > 50))
          throw invalid('token');
        const now = api.clock.now();
        let expiresAt = now + HOUR;
        if (raw.channel_expiry !== undefined) {
          const at = Date.parse(String(raw.channel_expiry));
          if (!Number.isFinite(at) || at <= now || at > now + WEEK) throw invalid('channel_expiry');
          expiresAt = at;
        }
        const byModule = new Map<string, string[]>();
        for (const event of raw.events) {
          const [module, operation] = String(event).split('.');
          if (!module || !operation || !OPERATIONS.includes(operation)) throw invalid('events');
          org.module(module);
          const ops = operation === 'all' ? ['create', 'edit', 'delete'] : [operation];
          byModule.set(module, [
            ...(byModule.get(module) ?? []),
            ...ops.map((o) => `${module}.${o}`),
          ]);
        }
        const events = [];
        for (const [module, names] of byModule) {
          const at = live().findIndex(
            (w) => w.channelId === String(channelId) && w.module === module,
          );
          const watch: FakeWatch = {
            channelId: String(channelId),
            module,
            events: [...new Set(names)],
            notifyUrl: raw.notify_url,
            ...(typeof raw.token === 'string' && { token: raw.token }),
            expiresAt,
            notifyOnRelatedAction: raw.notify_on_related_action !== false,
          };
          if (at >= 0) watches[at] = watch;
          else watches.push(watch);
          events.push({
            channel_expiry: org.time(expiresAt),
            ...resource(module),
            channel_id: String(channelId),
          });
        }
        return {
          code: 'SUCCESS',
          details: { events },
          message: 'Successfully subscribed for actions-watch of the given module',
          status: 'success',
        };
      });
      return ok({ watch: answers });
    }),
  );

  api.get(
    '/crm/v8/actions/watch',
    limits.guard(1, (request) => {
      const channel = request.query.get('channel_id');
      const list = live().filter((w) => channel === null || w.channelId === channel);
      if (list.length === 0) return reply(204);
      return ok({
        watch: list.map((w) => ({
          notify_on_related_action: w.notifyOnRelatedAction,
          channel_expiry: org.time(w.expiresAt),
          return_affected_field_values: false,
          ...resource(w.module),
          notify_url: w.notifyUrl,
          fields: null,
          channel_id: w.channelId,
          events: w.events,
          token: w.token ?? null,
        })),
        info: { per_page: 200, count: list.length, page: 1, more_records: false },
      });
    }),
  );

  api.route(
    'DELETE',
    '/crm/v8/actions/watch',
    limits.guard(1, (request) => {
      const ids = request.query.get('channel_ids')?.split(',').filter(Boolean) ?? [];
      if (ids.length === 0)
        throw fail(400, 'MANDATORY_NOT_FOUND', 'required param not found', {
          param_name: 'channel_ids',
        });
      const answers = [];
      for (const id of ids) {
        const gone = live().filter((w) => w.channelId === id);
        if (gone.length === 0) {
          answers.push({
            code: 'INVALID_DATA',
            details: { channel_id: id },
            message: 'the given channel id is not subscribed',
            status: 'error',
          });
          continue;
        }
        for (const w of gone) {
          watches.splice(watches.indexOf(w), 1);
          answers.push({
            code: 'SUCCESS',
            details: { ...resource(w.module), channel_id: id },
            message: 'Successfully un-subscribed from actions-watch',
            status: 'success',
          });
        }
      }
      return ok({ watch: answers });
    }),
  );
  return watches;
}
