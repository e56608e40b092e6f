import type { Checkpoint, EntityDefinition } from '../contracts/plugin.js';

const DEFAULT_PAGE_SIZE = 100;

/**
 * The page size a run asks: `--batch-size` when given, else the entity's own default, else
 * 100; never more than the entity's `pageSize.max`, so a CRM is never asked a page it refuses.
 */
export function pageSizeFor(
  entity: Pick<EntityDefinition, 'pageSize'>,
  batchSize?: number,
): number {
  const asked = batchSize ?? entity.pageSize?.default ?? DEFAULT_PAGE_SIZE;
  return entity.pageSize ? Math.min(asked, entity.pageSize.max) : asked;
}

/**
 * A stored checkpoint as the entity's schema reads it. One that does not parse — written by
 * an older version of the plugin, or by hand — is dropped with a warning: the read starts
 * over (nothing is lost, records are upserted by key) instead of every later run failing on it.
 */
export function resumeCheckpoint(
  entity: Pick<EntityDefinition, 'name' | 'checkpoint'>,
  checkpoint: Checkpoint | undefined,
  warn: (message: string) => void,
): Checkpoint | undefined {
  if (!checkpoint || !entity.checkpoint) return checkpoint;
  const parsed = entity.checkpoint.safeParse(checkpoint);
  if (parsed.success) return parsed.data;
  warn(
    `${entity.name}: the stored checkpoint does not match this plugin's checkpoint shape (${parsed.error.issues[0]?.message ?? 'invalid'}); reading from the start instead`,
  );
  return undefined;
}
