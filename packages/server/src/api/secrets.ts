/**
 * A copy of `value` without any property named like a secret: the plugin's secret config
 * keys and env vars, plus the usual credential names. Run configurations never hold secrets by
 * contract; this keeps a plugin that breaks the contract from leaking one through the API.
 */
const CREDENTIAL =
  /(secret|token|password|passwd|api[-_]?key|private[-_]?key|credential|authorization)/i;

export function redactSecrets(value: unknown, secretKeys: readonly string[] = []): unknown {
  const named = new Set(secretKeys.map((k) => k.toLowerCase()));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, inner]) =>
        named.has(k.toLowerCase()) || CREDENTIAL.test(k) ? [k, '[redacted]'] : [k, walk(inner)],
      ),
    );
  };
  return walk(value);
}
