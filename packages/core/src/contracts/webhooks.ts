/**
 * A plugin's optional `webhooks` capability: how the CRM signs the requests it pushes, and how
 * a verified payload becomes events the engine turns into a targeted sync.
 */

/** An inbound webhook request, as the host received it: the raw body is what was signed. */
export interface WebhookRequest {
  /** Upper-case HTTP method (`POST`). */
  method: string;
  /**
   * The full URL the vendor called (`https://sync.example.com/hooks/hubspot?x=1`): the host
   * reconstructs it from its public base URL, since a proxy may have rewritten the Host header.
   */
  url: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received. */
  body: Buffer;
  /** The entity named in the URL (`/hooks/<crm>/<entity>`), when the vendor needs one URL each. */
  entity?: string;
}

/** Why a request was refused; the host answers 401 and logs the reason, never the body. */
export type WebhookRejection =
  | 'missing-signature'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'bad-timestamp';

export type WebhookVerification = { ok: true } | { ok: false; reason: WebhookRejection };

/** One change the CRM reported. */
export interface WebhookEvent {
  /** The vendor's id for this delivery, used to drop duplicates (retries, replays). */
  eventId: string;
  /** The entity (`sync_type`) the ids belong to. */
  entity: string;
  /** Ids at the CRM of the records that changed. */
  ids: string[];
  /** The records were removed at the CRM: the engine soft-deletes them, fetching nothing. */
  deleted?: boolean;
  /** The whole raw record, when the payload carries it (CallRail): no fetch needed. */
  record?: unknown;
  /** When the change happened, per the vendor. */
  occurredAt?: Date;
}

export interface WebhookCapability {
  /**
   * The env var holding the secret the vendor signs with (`HUBSPOT_WEBHOOK_SECRET`): the
   * endpoint `/hooks/<crm>` is off unless it is set.
   */
  secretEnv: string;
  /** Checks the request against the vendor's documented scheme. `now` is for tests. */
  verify(request: WebhookRequest, secret: string, now?: Date): WebhookVerification;
  /**
   * Turns a verified body into events. Throws a `CrmsyncError` of kind `data` naming what was
   * expected when the body is not the vendor's shape.
   */
  parse(body: unknown, request: WebhookRequest): WebhookEvent[];
  /** Largest body accepted, in bytes; the host answers 413 above it. Default 1 MiB. */
  maxBodyBytes?: number;
}
