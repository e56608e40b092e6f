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
  /** Subscriptions managed through the CRM's API (`crmsync hooks`); absent where it has none. */
  // biome-ignore lint/suspicious/noExplicitAny: each plugin's client type differs
  subscriptions?: WebhookSubscriptions<any>;
  /**
   * Where the vendor has no API for subscriptions: how to set one up by hand (CallRail: in its
   * UI, per company). `crmsync hooks enable` prints it and exits 2.
   */
  manualSetup?: string;
}

/** One webhook subscription at the CRM, as `crmsync hooks list` shows it. */
export interface WebhookSubscription {
  /** The vendor's id for it (Pipedrive webhook id, Zoho channel id, HubSpot subscription id). */
  id: string;
  /** Where the vendor posts (`https://sync.example.com/hooks/zoho`). */
  url: string;
  /** The crmsync entities it reports (`deals`), or `*` for every one. */
  entity: string;
  /** What it reports, in the vendor's words (`change`, `Deals.all`, `contact.propertyChange`). */
  events: string[];
  active: boolean;
  /** When the vendor ends it unless renewed (Zoho's `channel_expiry`); absent: never. */
  expiresAt?: Date;
}

export interface EnableSubscriptionRequest {
  /** The public URL the vendor is to post to: the host's `/hooks/<crm>` endpoint. */
  url: string;
  /** The crmsync entities to subscribe to; absent: every entity the webhooks can report. */
  entities?: readonly string[];
  /**
   * The webhook secret (`<secretEnv>`), for vendors that take it at subscription time
   * (Pipedrive's Basic credentials, Zoho's token). Never echoed in a subscription.
   */
  secret: string;
  /** How long it should live where the vendor lets it expire (Zoho: ≤ 1 week). */
  ttlMs?: number;
  signal: AbortSignal;
}

/**
 * Managing the CRM's webhook subscriptions through its API, for `crmsync hooks enable | list |
 * disable | renew`. The client is the plugin's own (`createClient`).
 */
export interface WebhookSubscriptions<Client = unknown> {
  list(client: Client, signal: AbortSignal): Promise<WebhookSubscription[]>;
  /** Creates (or, where the vendor updates in place, refreshes) subscriptions; resolves with them. */
  enable(client: Client, request: EnableSubscriptionRequest): Promise<WebhookSubscription[]>;
  /** Removes these subscriptions (all of crmsync's when `ids` is empty); resolves with the ids removed. */
  disable(client: Client, ids: readonly string[], signal: AbortSignal): Promise<string[]>;
  /**
   * Extends subscriptions that expire (Zoho channels); resolves with them, new expiry included.
   * Absent where subscriptions do not expire.
   */
  renew?(
    client: Client,
    request: { secret: string; ttlMs?: number; signal: AbortSignal },
  ): Promise<WebhookSubscription[]>;
}
