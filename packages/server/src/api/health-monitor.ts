import { isCrmsyncError } from '@crmsync/core';
import type { ApiRuntime, SchedulerHealth } from '../runtime/api-runtime.js';

/** How often the background checks run, and how long one check may take. */
export const HEALTH_INTERVAL_MS = 30_000;
export const HEALTH_CHECK_TIMEOUT_MS = 3_000;

export interface DatabaseHealth {
  provider: string;
  reachable: boolean;
  latencyMs: number | null;
  message: string | null;
  checkedAt: Date;
}

export interface CrmHealth {
  crm: string;
  configured: boolean;
  /** Null when the plugin has no health check, is not configured, or is not checked yet. */
  reachable: boolean | null;
  latencyMs: number | null;
  /** Why it is unreachable ("Access denied", "Connection refused"), or a note. */
  message: string | null;
  /** When the cached answer was taken; null before the first check finished. */
  checkedAt: Date | null;
}

export interface EventBusHealth {
  /** redis | postgresql | in-process */
  kind: string;
  reachable: boolean;
  latencyMs: number | null;
  message: string | null;
  checkedAt: Date | null;
}

/** The optional probe of the cross-process event bus (Redis pub/sub or PostgreSQL NOTIFY). */
export interface EventBusProbe {
  kind: string;
  ping(signal: AbortSignal): Promise<void>;
}

export interface HealthMonitorOptions {
  intervalMs?: number;
  timeoutMs?: number;
  eventBus?: EventBusProbe;
  now?: () => Date;
}

export interface HealthSnapshot {
  database: DatabaseHealth;
  scheduler: SchedulerHealth & { checkedAt: Date };
  crms: CrmHealth[];
  eventBus: EventBusHealth;
}

/** A check that gives up after `ms`: the signal aborts the work, the promise rejects at once. */
export function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  return Promise.race([work(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

const SYSTEM_CODES: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset',
  ENOTFOUND: 'Host not found',
  EAI_AGAIN: 'Host not found (DNS)',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'Host unreachable',
  ENETUNREACH: 'Network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  ER_ACCESS_DENIED_ERROR: 'Access denied',
  ER_DBACCESS_DENIED_ERROR: 'Access denied',
  '28P01': 'Access denied',
};

/**
 * A short reason an operator can act on, from an error or a health message: "Access denied",
 * "Connection refused", … followed by the original text. Walks the cause chain for system and
 * driver codes (undici and mysql2 put them there), and reads core's error kinds.
 */
export function healthReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  let reason: string | undefined;
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    const code =
      (e as { code?: unknown }).code ?? (e as { context?: { code?: unknown } }).context?.code;
    if (typeof code === 'string' && SYSTEM_CODES[code]) {
      reason = SYSTEM_CODES[code];
      break;
    }
    if (isCrmsyncError(e) && e.kind === 'auth') {
      reason = 'Access denied';
      break;
    }
    e = (e as { cause?: unknown }).cause;
  }
  reason ??= reasonFromText(text);
  return reason && !text.toLowerCase().includes(reason.toLowerCase()) ? `${reason}: ${text}` : text;
}

function reasonFromText(text: string): string | undefined {
  for (const [code, reason] of Object.entries(SYSTEM_CODES)) {
    if (text.includes(code)) return reason;
  }
  if (
    /access denied|unauthori[sz]ed|HTTP 401|HTTP 403|forbidden|invalid (api )?(key|token|credentials)|authentication failed/i.test(
      text,
    )
  )
    return 'Access denied';
  return undefined;
}

/**
 * Checks the database, the scheduler, each configured CRM and the event bus in the background,
 * every `intervalMs`, each check bounded by `timeoutMs`; the last answers are cached with the
 * time they were taken, so `systemHealth` and the JSON endpoints answer at once whatever a CRM
 * does. A CRM not checked yet shows `reachable: null` and "checking…".
 */
export class HealthMonitor {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  #runtime: ApiRuntime;
  #eventBus: EventBusProbe | undefined;
  #now: () => Date;
  #crms = new Map<string, CrmHealth>();
  #database: DatabaseHealth | undefined;
  #eventBusHealth: EventBusHealth | undefined;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(runtime: ApiRuntime, options: HealthMonitorOptions = {}) {
    this.#runtime = runtime;
    this.intervalMs = options.intervalMs ?? HEALTH_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? HEALTH_CHECK_TIMEOUT_MS;
    this.#eventBus = options.eventBus;
    this.#now = options.now ?? (() => new Date());
  }

  /** Starts the first round now and one every interval. */
  start(): this {
    if (this.#timer || this.#stopped) return this;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.#timer.unref();
    return this;
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Runs one round of checks (joins the round in flight); resolves when every check answered or timed out. */
  refresh(): Promise<void> {
    this.#round ??= Promise.all([this.#checkDatabase(), this.#checkCrms(), this.#checkEventBus()])
      .then(() => undefined)
      .finally(() => {
        this.#round = undefined;
      });
    return this.#round;
  }

  /** The database as last checked; checked now (bounded by the timeout) before the first round ended. */
  async database(): Promise<DatabaseHealth> {
    if (!this.#database) await this.#checkDatabase();
    return this.#database!;
  }

  /** Cached CRM answers, at once. */
  crms(): CrmHealth[] {
    return this.#runtime.plugins.map((p) => {
      const base = { crm: p.plugin.name, configured: p.configured };
      if (!p.configured)
        return {
          ...base,
          reachable: null,
          latencyMs: null,
          message: 'not configured',
          checkedAt: null,
        };
      if (!p.health)
        return {
          ...base,
          reachable: null,
          latencyMs: null,
          message: 'no health check',
          checkedAt: null,
        };
      return (
        this.#crms.get(p.plugin.name) ?? {
          ...base,
          reachable: null,
          latencyMs: null,
          message: 'checking…',
          checkedAt: null,
        }
      );
    });
  }

  eventBus(): EventBusHealth {
    if (this.#eventBusHealth) return this.#eventBusHealth;
    if (!this.#eventBus)
      return {
        kind: 'in-process',
        reachable: true,
        latencyMs: null,
        message: 'run events stay in this process (no Redis or PostgreSQL NOTIFY bus configured)',
        checkedAt: null,
      };
    return {
      kind: this.#eventBus.kind,
      reachable: false,
      latencyMs: null,
      message: 'checking…',
      checkedAt: null,
    };
  }

  /** The scheduler's own state, asked now (it is in this process), bounded by the timeout. */
  async scheduler(
    fallback: () => Promise<SchedulerHealth>,
  ): Promise<SchedulerHealth & { checkedAt: Date }> {
    const checkedAt = this.#now();
    const ask = this.#runtime.schedulerHealth;
    if (!ask) return { ...(await fallback()), checkedAt };
    try {
      return { ...(await withTimeout(() => ask(), this.timeoutMs)), checkedAt };
    } catch (error) {
      return { running: false, message: healthReason(error), workers: [], checkedAt };
    }
  }

  async #checkDatabase(): Promise<void> {
    const provider = this.#runtime.provider;
    try {
      const latencyMs = await withTimeout(() => this.#runtime.ping(), this.timeoutMs);
      this.#database = {
        provider,
        reachable: true,
        latencyMs: Math.round(latencyMs * 100) / 100,
        message: null,
        checkedAt: this.#now(),
      };
    } catch (error) {
      this.#database = {
        provider,
        reachable: false,
        latencyMs: null,
        message: healthReason(error),
        checkedAt: this.#now(),
      };
    }
  }

  async #checkCrms(): Promise<void> {
    await Promise.all(
      this.#runtime.plugins.map(async (p) => {
        if (!p.configured || !p.health) return;
        const check = p.health;
        const base = { crm: p.plugin.name, configured: true };
        const warnings: string[] = [];
        const started = performance.now();
        try {
          const result = await withTimeout(
            (signal) => check(signal, (message) => warnings.push(message)),
            this.timeoutMs,
          );
          this.#crms.set(p.plugin.name, {
            ...base,
            reachable: result.ok,
            latencyMs: result.latencyMs,
            message: result.ok
              ? (result.message ?? null)
              : healthReason(result.message ?? 'unhealthy'),
            checkedAt: this.#now(),
          });
        } catch (error) {
          // A check that timed out while its client retried says why through the last retry.
          const last = warnings.at(-1)?.replace(/; retrying.*$/, '');
          const timedOut = error instanceof Error && error.message.startsWith('no answer within');
          const why =
            timedOut && last ? `${last} (still failing after ${this.timeoutMs} ms)` : error;
          this.#crms.set(p.plugin.name, {
            ...base,
            reachable: false,
            latencyMs: timedOut ? null : Math.round(performance.now() - started),
            message: healthReason(timedOut && last ? new Error(String(why)) : error),
            checkedAt: this.#now(),
          });
        }
      }),
    );
  }

  async #checkEventBus(): Promise<void> {
    const bus = this.#eventBus;
    if (!bus) return;
    const started = performance.now();
    try {
      await withTimeout((signal) => bus.ping(signal), this.timeoutMs);
      this.#eventBusHealth = {
        kind: bus.kind,
        reachable: true,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        message: null,
        checkedAt: this.#now(),
      };
    } catch (error) {
      this.#eventBusHealth = {
        kind: bus.kind,
        reachable: false,
        latencyMs: null,
        message: healthReason(error),
        checkedAt: this.#now(),
      };
    }
  }
}
