/** Reads a dot path (`properties.email`, `lines.0.sku`) from a raw record. */
export function getPath(source: unknown, path: string): unknown {
  return compilePath(path)(source);
}

/**
 * A reader for one dot path, split once: the default processor reads every field of every
 * record, so it compiles each field's path when it is created.
 */
export function compilePath(path: string): (source: unknown) => unknown {
  const parts = path.split('.');
  if (parts.length === 1) {
    return (source) =>
      source !== null && typeof source === 'object'
        ? (source as Record<string, unknown>)[path]
        : undefined;
  }
  return (source) => {
    let current: unknown = source;
    for (const part of parts) {
      if (current === null || current === undefined || typeof current !== 'object')
        return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  };
}
