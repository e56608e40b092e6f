import { type FakeApi, type FakeRequest, jsonBody, ok, reply } from '@crmsync/core/fake-api';
import { errorBody, HttpError } from './errors.js';

/** The developer account's app whose webhooks the fake serves, and its developer API key. */
export interface FakeHubspotDeveloper {
  appId: number;
  apiKey: string;
}

export interface FakeHubspotWebhookSubscription {
  id: number;
  eventType: string;
  propertyName?: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface FakeHubspotWebhookSettings {
  targetUrl: string;
  throttling: { period: 'SECONDLY' | 'ROLLING_MINUTE'; maxConcurrentRequests: number };
  createdAt: string;
  updatedAt: string;
}

const OBJECTS = ['contact', 'company', 'deal', 'ticket', 'product', 'line_item', 'conversation'];
const ACTIONS = [
  'creation',
  'deletion',
  'propertyChange',
  'associationChange',
  'merge',
  'restore',
  'privacyDeletion',
];

/**
 * HubSpot's app webhooks API (v3), as its public documentation describes it — it is not in
 * crm-specs/hubspot (https://developers.hubspot.com/docs/api/webhooks, "Webhooks API"):
 * authorized by the developer API key in `hapikey` (no bearer token), for the app in the path.
 *
 * - `GET /webhooks/v3/{appId}/settings` → `{targetUrl, throttling: {period,
 *   maxConcurrentRequests}, createdAt, updatedAt}`, 404 before any is set; `PUT` sets them
 *   (`targetUrl` required, an https URL; `throttling.maxConcurrentRequests` ≥ 5); `DELETE`
 *   clears them (204).
 * - `GET /webhooks/v3/{appId}/subscriptions` → `{results: [{id, eventType, propertyName?,
 *   active, createdAt, updatedAt}]}`; `POST` creates one (`eventType` `<object>.<action>`,
 *   `propertyName` required for `*.propertyChange`) → 201; `DELETE …/subscriptions/{id}` → 204.
 * UNCONFIRMED: the exact error bodies (a HubSpot error `{status, message, category}` here).
 */
export function mountHubspotWebhookApi(api: FakeApi, developer: FakeHubspotDeveloper) {
  const state = {
    settings: undefined as FakeHubspotWebhookSettings | undefined,
    subscriptions: new Map<number, FakeHubspotWebhookSubscription>(),
  };
  let next = 100;
  const now = () => new Date(api.clock.now()).toISOString();
  const check = (r: FakeRequest) => {
    if (r.query.get('hapikey') !== developer.apiKey)
      throw new HttpError(
        401,
        errorBody(
          'The API key provided is invalid. View or manage your API key here: https://app.hubspot.com/l/api-key/',
          'INVALID_AUTHENTICATION',
        ),
      );
    if (Number(r.params.appId) !== developer.appId)
      throw new HttpError(404, errorBody(`App ${r.params.appId} not found`, 'OBJECT_NOT_FOUND'));
  };
  const invalid = (message: string) => new HttpError(400, errorBody(message, 'VALIDATION_ERROR'));
  const open = { auth: false };

  api.get(
    '/webhooks/v3/:appId/settings',
    (r) => {
      check(r);
      if (!state.settings)
        throw new HttpError(404, errorBody('No webhook settings for this app', 'OBJECT_NOT_FOUND'));
      return ok(state.settings);
    },
    open,
  );
  api.route(
    'PUT',
    '/webhooks/v3/:appId/settings',
    (r) => {
      check(r);
      const body = (jsonBody(r) ?? {}) as {
        targetUrl?: unknown;
        throttling?: { maxConcurrentRequests?: unknown; period?: unknown };
      };
      if (typeof body.targetUrl !== 'string' || !/^https:\/\/[^/]+/.test(body.targetUrl))
        throw invalid('targetUrl: an https URL is required');
      const max = Number(body.throttling?.maxConcurrentRequests ?? 10);
      if (!Number.isInteger(max) || max < 5)
        throw invalid('throttling.maxConcurrentRequests: at least 5');
      const period = body.throttling?.period === 'ROLLING_MINUTE' ? 'ROLLING_MINUTE' : 'SECONDLY';
      state.settings = {
        targetUrl: body.targetUrl,
        throttling: { period, maxConcurrentRequests: max },
        createdAt: state.settings?.createdAt ?? now(),
        updatedAt: now(),
      };
      return ok(state.settings);
    },
    open,
  );
  api.route(
    'DELETE',
    '/webhooks/v3/:appId/settings',
    (r) => {
      check(r);
      state.settings = undefined;
      return reply(204);
    },
    open,
  );
  api.get(
    '/webhooks/v3/:appId/subscriptions',
    (r) => {
      check(r);
      return ok({ results: [...state.subscriptions.values()] });
    },
    open,
  );
  api.post(
    '/webhooks/v3/:appId/subscriptions',
    (r) => {
      check(r);
      const body = (jsonBody(r) ?? {}) as Record<string, unknown>;
      const [object, action] = String(body.eventType ?? '').split('.');
      if (!object || !action || !OBJECTS.includes(object) || !ACTIONS.includes(action))
        throw invalid(`eventType: ${String(body.eventType)} is not a supported event type`);
      if (action === 'propertyChange' && typeof body.propertyName !== 'string')
        throw invalid('propertyName: required for a propertyChange subscription');
      const sub: FakeHubspotWebhookSubscription = {
        id: next++,
        eventType: String(body.eventType),
        ...(typeof body.propertyName === 'string' && { propertyName: body.propertyName }),
        active: body.active !== false,
        createdAt: now(),
        updatedAt: now(),
      };
      state.subscriptions.set(sub.id, sub);
      return reply(201, sub);
    },
    open,
  );
  api.route(
    'DELETE',
    '/webhooks/v3/:appId/subscriptions/:id',
    (r) => {
      check(r);
      if (!state.subscriptions.delete(Number(r.params.id)))
        throw new HttpError(
          404,
          errorBody(`Subscription ${r.params.id} not found`, 'OBJECT_NOT_FOUND'),
        );
      return reply(204);
    },
    open,
  );
  return state;
}
