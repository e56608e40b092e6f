import {
  type FakeApi,
  FakeHttpError,
  type FakeRequest,
  jsonBody,
  ok,
  reply,
} from '@crmsync/core/testing';

/** A webhook as `GET /v1/webhooks` lists it (v1 spec: BaseWebhook). */
export interface FakeWebhook {
  id: number;
  company_id: number;
  owner_id: number;
  user_id: number;
  event_action: string;
  event_object: string;
  subscription_url: string;
  version: string;
  is_active: 0 | 1;
  add_time: string;
  remove_time: string | null;
  type: 'general';
  http_auth_user: string | null;
  http_auth_password: string | null;
  remove_reason: string | null;
  last_delivery_time: string | null;
  last_http_status: number | null;
  admin_id: number;
  name: string;
}

const ACTIONS = ['create', 'change', 'delete', '*'];
const OBJECTS = [
  'activity',
  'deal',
  'lead',
  'note',
  'organization',
  'person',
  'pipeline',
  'product',
  'stage',
  'user',
  '*',
];
const badRequest = (errors: Record<string, string[]>) =>
  new FakeHttpError(400, { status: 'error', success: false, errors });

/**
 * Pipedrive's webhooks API as the v1 spec (crm-specs/pipedrive/v1.yaml, tag Webhooks) has it:
 * `GET /v1/webhooks` lists the company's webhooks, `POST /v1/webhooks` (subscription_url,
 * event_action, event_object, name required; http_auth_user/password; version default 2.0)
 * answers 201 with the webhook, `DELETE /v1/webhooks/{id}` answers `{status: ok, success}` or
 * 404 `{errors: {id: ['not found']}}`. Each call is authorized like any other (`authorize`).
 */
export function mountWebhookRoutes(
  api: FakeApi,
  authorize: (request: FakeRequest, cost: number) => void,
) {
  const hooks = new Map<number, FakeWebhook>();
  let next = 1;
  const iso = () => new Date(api.clock.now()).toISOString();
  api.get('/v1/webhooks', (request) => {
    authorize(request, 10);
    return ok({ status: 'ok', success: true, data: [...hooks.values()] });
  });
  api.post('/v1/webhooks', (request) => {
    authorize(request, 10);
    const body = (jsonBody(request) ?? {}) as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const url = body.subscription_url;
    if (typeof url !== 'string' || !/^https?:\/\/[^/]+/.test(url))
      errors.subscription_url = ['invalid or non-reachable URL'];
    if (!ACTIONS.includes(String(body.event_action))) errors.event_action = ['invalid value'];
    if (!OBJECTS.includes(String(body.event_object))) errors.event_object = ['invalid value'];
    if (typeof body.name !== 'string' || body.name === '' || body.name.length > 255)
      errors.name = ['is required'];
    if (body.version !== undefined && body.version !== '1.0' && body.version !== '2.0')
      errors.version = ['invalid value'];
    if (Object.keys(errors).length) throw badRequest(errors);
    const hook: FakeWebhook = {
      id: next++,
      company_id: 1,
      owner_id: 1,
      user_id: typeof body.user_id === 'number' ? body.user_id : 1,
      event_action: String(body.event_action),
      event_object: String(body.event_object),
      subscription_url: String(url),
      version: typeof body.version === 'string' ? body.version : '2.0',
      is_active: 1,
      add_time: iso(),
      remove_time: null,
      type: 'general',
      http_auth_user: typeof body.http_auth_user === 'string' ? body.http_auth_user : null,
      http_auth_password:
        typeof body.http_auth_password === 'string' ? body.http_auth_password : null,
      remove_reason: null,
      last_delivery_time: null,
      last_http_status: null,
      admin_id: 1,
      name: String(body.name),
    };
    hooks.set(hook.id, hook);
    return reply(201, { status: 'ok', success: true, data: hook });
  });
  api.route('DELETE', '/v1/webhooks/:id', (request) => {
    authorize(request, 6);
    const id = Number(request.params.id);
    if (!hooks.delete(id))
      throw new FakeHttpError(404, {
        status: 'error',
        success: false,
        errors: { id: ['not found'] },
      });
    return ok({ status: 'ok', success: true });
  });
  return hooks;
}
