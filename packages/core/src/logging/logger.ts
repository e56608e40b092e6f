import createDebug from 'debug';
import type { Logger } from '../contracts/logger.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface LoggerOptions {
  /** Lowest level written; `debug` also needs `DEBUG=crmsync:*` unless `sink` is given. */
  level?: LogLevel;
  /** Values removed from every message and detail (CRM tokens, API token). */
  secrets?: readonly string[];
  /** Where lines go; default: the `debug` package for debug, stderr for the rest. */
  sink?: (line: {
    level: Exclude<LogLevel, 'silent'>;
    namespace: string;
    message: string;
    details?: Record<string, unknown>;
  }) => void;
}

// `scheme://user:password@` or `scheme://token@`: everything between `//` and the `@` of a
// URL's authority (no `/`, whitespace or quote before it).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>]+@(?=[^\s/?#@'"<>]+)/gi;

/**
 * Removes the credentials of every URL in a text (`http://u:secret@host` → `http://***@host`):
 * a base URL or a connection string echoed by a driver or an HTTP library must not reach a
 * log line, a history row or an API response.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}

/** Replaces every occurrence of a secret value with `***`, and credentials inside URLs. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = redactUrlCredentials(text);
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

function redactDetails(details: Record<string, unknown> | undefined, secrets: readonly string[]) {
  if (!details) return details;
  let json: string;
  try {
    json = JSON.stringify(details);
  } catch {
    // A detail JSON cannot hold (a BigInt, a cycle) must not turn a log line into a crash.
    return { unprintable: true };
  }
  const clean = redact(json, secrets);
  return clean === json ? details : (JSON.parse(clean) as Record<string, unknown>);
}

/**
 * A namespaced logger (`crmsync:engine`, `crmsync:plugin:hubspot:client`).
 *
 * @example
 * const log = createLogger('crmsync:engine', { level: 'info', secrets: [token] });
 * log.child('run').warn('slow page', { ms: 900 });
 */
export function createLogger(namespace: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const secrets = options.secrets ?? [];
  const dbg = createDebug(namespace);
  // Asking for debug level (`--debug`) turns the namespace on without DEBUG=crmsync:*.
  if (level === 'debug') dbg.enabled = true;
  const write = (
    lvl: Exclude<LogLevel, 'silent'>,
    message: string,
    details?: Record<string, unknown>,
  ) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const clean = redact(message, secrets);
    const cleanDetails = redactDetails(details, secrets);
    if (options.sink)
      return options.sink({ level: lvl, namespace, message: clean, details: cleanDetails });
    if (lvl === 'debug') {
      if (cleanDetails) dbg('%s %o', clean, cleanDetails);
      else dbg('%s', clean);
      return;
    }
    const extra =
      cleanDetails && Object.keys(cleanDetails).length > 0
        ? ` ${JSON.stringify(cleanDetails)}`
        : '';
    process.stderr.write(`${lvl} ${namespace}: ${clean}${extra}\n`);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
    child: (child) =>
      createLogger(child.startsWith('crmsync') ? child : `${namespace}:${child}`, options),
  };
}

/** A logger that writes nothing (tests, library use without output). */
export function silentLogger(): Logger {
  return createLogger('crmsync', { level: 'silent' });
}
