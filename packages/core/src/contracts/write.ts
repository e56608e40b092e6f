/**
 * Writing back: what a plugin declares to push local changes to its CRM. An entity that can be
 * written offers a `write` member (see EntityWriter); every other entity stays read-only.
 */

/** A field's type as the CRM's metadata gives it, for checking a value before it is sent. */
export type WritableFieldType =
  | 'string'
  | 'text'
  | 'email'
  | 'phone'
  | 'url'
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'picklist'
  | 'multipicklist';

export interface WritableField {
  type: WritableFieldType;
  /** The values a picklist accepts (the CRM's API values, not its labels). */
  options?: readonly string[];
  maxLength?: number;
  label?: string;
}

/** Field name (the CRM's API name, as the entity maps it) → what it accepts. */
export type WritableFields = Record<string, WritableField>;

/** A record as the CRM holds it now, in the entity's mapped field names. */
export interface RemoteRecord {
  id: string;
  data: Record<string, unknown>;
  /** The CRM's modification time of the record, when it says. */
  modifiedAt: Date | null;
}

export interface RecordUpdate {
  id: string;
  /** Only the fields to write, with typed values (see `parseFieldValue`). */
  fields: Record<string, unknown>;
}

/**
 * The CRM's answer for one record of a batch write: written (with the record as the CRM now
 * holds it, when the answer carries it), or refused with the CRM's reason and, when it names
 * one, the field.
 */
export type WriteOutcome =
  | { id: string; ok: true; record?: RemoteRecord }
  | { id: string; ok: false; reason: string; field?: string };

/**
 * How an entity is written. `read` re-reads records by id before a push (the base of the
 * three-way merge); `write` sends one batch of at most `batchSize` updates and answers per
 * record — a refused record must not fail the others (throw only when the whole call failed).
 *
 * @example
 * write: {
 *   batchSize: 100,
 *   writableFields: (client, signal) => client.fieldMetadata('contacts', signal),
 *   read: (client, ids, signal) => client.batchRead('contacts', ids, signal),
 *   write: (client, updates, signal) => client.batchUpdate('contacts', updates, signal),
 * }
 */
export interface EntityWriter<Client = unknown> {
  /** Most records one write call takes (Zoho and HubSpot: 100). */
  batchSize: number;
  /**
   * Batches a push may have in flight at once (re-read + write each); default 1. A CRM that
   * caps concurrent calls rather than calls per window (Zoho's edition cap) says its cap.
   */
  concurrency?(client: Client): number;
  /** The fields that can be written, from the CRM's metadata (custom fields included). */
  writableFields(client: Client, signal: AbortSignal): Promise<WritableFields>;
  /** The records with these ids as the CRM holds them now; ids it does not have are left out. */
  read(client: Client, ids: readonly string[], signal: AbortSignal): Promise<RemoteRecord[]>;
  write(
    client: Client,
    updates: readonly RecordUpdate[],
    signal: AbortSignal,
  ): Promise<WriteOutcome[]>;
}

/** The life of a local change: recorded, being pushed, written, held by a conflict, refused. */
export type ChangeState = 'pending' | 'pushing' | 'synced' | 'conflict' | 'rejected';

export const CHANGE_STATES: readonly ChangeState[] = [
  'pending',
  'pushing',
  'synced',
  'conflict',
  'rejected',
];
