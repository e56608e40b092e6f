/** Reads a dot path (`properties.email`, `lines.0.sku`) from a raw record. */
export function getPath(source: unknown, path: string): unknown {
  return compilePath(path)(source);
}

/**
 * Whether every object inherits a property of this name (`constructor`, `toString`…): a raw
 * record's field of that name is read only when the record has it itself, never the
 * prototype's function.
 */
export function isInheritedName(name: string): boolean {
  return name in Object.prototype;
}

function readPart(source: unknown, part: string, inherited: boolean): unknown {
  if (source === null || typeof source !== 'object') return undefined;
  if (inherited && !Object.hasOwn(source, part)) return undefined;
  return (source as Record<string, unknown>)[part];
}

/**
 * A reader for one dot path, split once: the default processor reads every field of every
 * record, so it compiles each field's path when it is created.
 */
export function compilePath(path: string): (source: unknown) => unknown {
  const parts = path.split('.').map((part) => ({ part, inherited: isInheritedName(part) }));
  const [only] = parts;
  if (parts.length === 1 && only) return (source) => readPart(source, only.part, only.inherited);
  return (source) => {
    let current: unknown = source;
    for (const { part, inherited } of parts) {
      current = readPart(current, part, inherited);
      if (current === undefined) return undefined;
    }
    return current;
  };
}
