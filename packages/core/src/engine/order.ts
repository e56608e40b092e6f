import { CrmsyncError } from '../contracts/errors.js';
import type { EntityDefinition } from '../contracts/plugin.js';

/** Entities in `dependsOn` order (dependencies first; otherwise as declared). */
export function orderEntities<T extends Pick<EntityDefinition, 'name' | 'dependsOn'>>(
  entities: readonly T[],
  crm: string,
): T[] {
  const byName = new Map(entities.map((e) => [e.name, e]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: T[] = [];
  const visit = (e: T, path: string[]) => {
    if (done.has(e.name)) return;
    if (visiting.has(e.name)) {
      throw new CrmsyncError(
        'config',
        `${crm}: entities depend on each other in a cycle: ${[...path, e.name].join(' → ')}`,
        { crm },
      );
    }
    visiting.add(e.name);
    for (const dep of e.dependsOn ?? []) {
      const target = byName.get(dep);
      if (target) visit(target, [...path, e.name]);
    }
    visiting.delete(e.name);
    done.add(e.name);
    out.push(e);
  };
  for (const e of entities) visit(e, []);
  return out;
}
