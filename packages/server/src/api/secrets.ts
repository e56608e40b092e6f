/**
 * A copy of `value` without any property named like a secret: the plugin's secret config
 * keys and env vars, plus the usual credential names. Run configurations never hold secrets by
 * contract; this keeps a plugin that breaks the contract from leaking one through the API.
 * Credentials inside URLs (`http://user:password@host`) in any string are masked too.
 */
const CREDENTIAL =
  /(secret|token|password|passwd|api[-_]?key|private[-_]?key|credential|authorization)/i;

/**
 * `scheme://userinfo@`: the userinfo stops at what cannot be in it, and at a backslash or quote
 * so that the pattern also holds inside JSON text without crossing out of a string.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'\\<>]+@/gi;

/** `http://user:secret@host/x` → `http://[redacted]@host/x`, anywhere in the text. */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1[redacted]@');
}

/** Whether the text holds a URL with credentials. */
export function hasUrlCredentials(text: string): boolean {
  URL_USERINFO.lastIndex = 0;
  const found = URL_USERINFO.test(text);
  URL_USERINFO.lastIndex = 0;
  return found;
}

export function redactSecrets(value: unknown, secretKeys: readonly string[] = []): unknown {
  const named = new Set(secretKeys.map((k) => k.toLowerCase()));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskUrlCredentials(v);
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

/** A configured secret, or URL credentials, replaced in free text (a log line, a message). */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = maskUrlCredentials(text);
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
