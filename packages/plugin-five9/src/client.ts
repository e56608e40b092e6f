import { setTimeout as sleep } from 'node:timers/promises';
import { CrmsyncError, type ErrorKind, type Logger, type RequestMetrics } from '@crmsync/core';
import type { Client as SoapClient } from 'soap';
import { WSDL_PATH, wsdlOptions } from './wsdl.js';

/** One `crmFieldCriterion`: a field and a value with `%` wildcards. */
export interface Criterion {
  field: string;
  value: string;
}

export interface ContactsResult {
  fields: string[];
  /** Values positional, aligned with `fields`. */
  records: string[][];
}

export interface CallCounter {
  operationType: string;
  limit: number;
  value: number;
}

export interface Five9ClientOptions {
  /** The AdminWebService endpoint (`…/wsadmin/v13/AdminWebService`). */
  endpoint: string;
  username: string;
  password: string;
  metrics?: RequestMetrics;
  logger?: Logger;
  timeoutMs?: number;
  retries?: number;
  /** First wait after `OperationsLimitExceededException`, doubled per attempt. */
  rateLimitWaitMs?: number;
}

/**
 * The soap package, imported when the first request is made rather than with the plugin:
 * `crmsync list` and syncs of other CRMs load this plugin without soap's modules.
 */
async function soapPackage(): Promise<typeof import('soap')> {
  // soap is CommonJS marked `__esModule`: Node's ESM hands its exports over as `default`,
  // loaders that honour the mark (tsx, the bench's) as the namespace itself.
  const loaded: typeof import('soap') & { default?: typeof import('soap') } = await import('soap');
  return loaded.default ?? loaded;
}

/** The parsed WSDL (a 1 MB document with 364 operations): parsed once per process. */
let parsed: Promise<SoapClient> | undefined;
function template(): Promise<SoapClient> {
  parsed ??= soapPackage().then((soap) =>
    soap.createClientAsync(WSDL_PATH, { wsdl_options: wsdlOptions }),
  );
  parsed.catch(() => {
    parsed = undefined;
  });
  return parsed;
}

/** The local name of the fault's detail element: `OperationsLimitExceededFault` → the exception. */
function faultName(detail: unknown): string | undefined {
  if (!detail || typeof detail !== 'object') return undefined;
  const key = Object.keys(detail).find((k) => /Fault$/.test(k.replace(/^.*:/, '')));
  return key?.replace(/^.*:/, '').replace(/Fault$/, 'Exception');
}

const FAULT_KINDS: Record<string, ErrorKind> = {
  OperationsLimitExceededException: 'rate_limit',
  AccessDisallowedException: 'auth',
  AdminSessionClosedException: 'auth',
  InvalidAccountException: 'auth',
  ServiceUnavailableException: 'transient',
  ServerException: 'transient',
  ConcurrentModificationException: 'transient',
  ResultIsNotReadyException: 'transient',
};

/**
 * Five9's Configuration Web Services through the `soap` package and the v13 WSDL, at the
 * endpoint configured, HTTP Basic on every request. SOAP faults become error kinds; throttling
 * (`OperationsLimitExceededException`) and server faults are retried here, counted in the
 * run's metrics.
 */
export class Five9Client {
  readonly #o: Five9ClientOptions;
  #client: Promise<SoapClient> | undefined;

  constructor(options: Five9ClientOptions) {
    this.#o = options;
  }

  async #soap(): Promise<SoapClient> {
    this.#client ??= Promise.all([soapPackage(), template()]).then(([soap, t]) => {
      const client = new soap.Client(t.wsdl, this.#o.endpoint, { wsdl_options: wsdlOptions });
      client.setSecurity(new soap.BasicAuthSecurity(this.#o.username, this.#o.password));
      return client;
    });
    return this.#client;
  }

  async getContactRecords(criteria: Criterion[], signal: AbortSignal): Promise<ContactsResult> {
    const out = (await this.call(
      'getContactRecords',
      { lookupCriteria: { criteria } },
      signal,
    )) as {
      return?: {
        fields?: string[] | string;
        records?: Array<{ values?: { data?: Array<string | null> | string | null } }>;
      };
    } | null;
    const r = out?.return;
    const fields = r?.fields === undefined ? [] : Array.isArray(r.fields) ? r.fields : [r.fields];
    const records = (r?.records ?? []).map((rec) => {
      const data = rec.values?.data;
      const list = data === undefined || data === null ? [] : Array.isArray(data) ? data : [data];
      return fields.map((_, i) => {
        const v = list[i];
        return v === undefined || v === null ? '' : String(v);
      });
    });
    return { fields, records };
  }

  async getContactFields(signal: AbortSignal): Promise<Array<Record<string, unknown>>> {
    const out = (await this.call('getContactFields', {}, signal)) as {
      return?: Array<Record<string, unknown>>;
    } | null;
    return out?.return ?? [];
  }

  async getCallCountersState(signal: AbortSignal): Promise<CallCounter[]> {
    const out = (await this.call('getCallCountersState', {}, signal)) as {
      return?: Array<{ operationType?: string; limit?: string | number; value?: string | number }>;
    } | null;
    return (out?.return ?? []).map((c) => ({
      operationType: String(c.operationType ?? ''),
      limit: Number(c.limit ?? 0),
      value: Number(c.value ?? 0),
    }));
  }

  /** `runReport` → poll `isReportRunning` → `getReportResultCsv`: the report's CSV text. */
  async reportCsv(
    folderName: string,
    reportName: string,
    window: { start: Date; end: Date },
    signal: AbortSignal,
    pollMs = 5000,
  ): Promise<string> {
    const started = (await this.call(
      'runReport',
      {
        folderName,
        reportName,
        criteria: { time: { end: window.end.toISOString(), start: window.start.toISOString() } },
      },
      signal,
    )) as { return?: string };
    const identifier = started?.return;
    if (!identifier)
      throw new CrmsyncError(
        'system',
        `five9: runReport ${folderName}/${reportName} returned no identifier`,
        { crm: 'five9' },
      );
    for (;;) {
      const running = (await this.call(
        'isReportRunning',
        { identifier, timeout: Math.ceil(pollMs / 1000) },
        signal,
      )) as {
        return?: boolean | string;
      };
      if (running?.return === false || running?.return === 'false') break;
      await sleep(pollMs, undefined, { signal });
    }
    const csv = (await this.call('getReportResultCsv', { identifier }, signal)) as {
      return?: string;
    };
    return csv?.return ?? '';
  }

  /** One operation, retried for throttling and server faults. */
  async call(
    operation: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<unknown> {
    const o = this.#o;
    const client = await this.#soap();
    const method = (
      client as unknown as Record<string, (a: unknown, opts: unknown) => Promise<unknown[]>>
    )[`${operation}Async`];
    if (!method)
      throw new CrmsyncError('system', `five9: the WSDL has no operation ${operation}`, {
        crm: 'five9',
      });
    const retries = o.retries ?? 5;
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      try {
        if (o.metrics) o.metrics.apiCalls++;
        const [result] = await method.call(client, args, {
          timeout: o.timeoutMs ?? 120_000,
          signal,
        });
        return result;
      } catch (raw) {
        if (signal.aborted) throw raw;
        const error = this.#classify(operation, raw);
        if ((error.kind !== 'transient' && error.kind !== 'rate_limit') || attempt >= retries)
          throw error;
        const wait = Math.min(
          60_000,
          (error.kind === 'rate_limit' ? (o.rateLimitWaitMs ?? 5000) : 100) * 2 ** attempt,
        );
        if (o.metrics) {
          o.metrics.retries++;
          if (error.kind === 'rate_limit') {
            o.metrics.throttled++;
            o.metrics.throttledMs += wait;
          }
        }
        o.logger?.warn(`${error.message}; retrying in ${wait} ms`, { attempt: attempt + 2 });
        await sleep(wait, undefined, { signal });
      }
    }
  }

  #classify(operation: string, raw: unknown): CrmsyncError {
    const e = raw as Error & {
      root?: {
        Envelope?: {
          Body?: { Fault?: { faultcode?: string; faultstring?: string; detail?: unknown } };
        };
      };
      response?: { status?: number };
      code?: string;
    };
    const fault = e.root?.Envelope?.Body?.Fault;
    const status = e.response?.status;
    const clean = (text: string) =>
      this.#o.password.length >= 4 ? text.split(this.#o.password).join('[redacted]') : text;
    if (fault) {
      // A declared fault names its exception in the detail; a bare fault has only its code.
      const declared = faultName(fault.detail);
      const name = declared ?? String(fault.faultcode ?? 'Fault');
      const kind: ErrorKind = declared
        ? (FAULT_KINDS[declared] ?? 'data')
        : /^(\w+:)?(Server|Receiver)/.test(String(fault.faultcode))
          ? 'transient'
          : 'data';
      return new CrmsyncError(
        kind,
        clean(`five9: ${operation}: ${name}: ${fault.faultstring ?? ''}`),
        {
          crm: 'five9',
          code: name,
          ...(status !== undefined && { status }),
        },
      );
    }
    if (status === 401 || status === 403)
      return new CrmsyncError('auth', `five9: ${operation}: credentials refused (HTTP ${status})`, {
        crm: 'five9',
        status,
      });
    if (status === 429)
      return new CrmsyncError('rate_limit', `five9: ${operation}: HTTP 429`, {
        crm: 'five9',
        status,
      });
    if (status === undefined || status >= 500)
      return new CrmsyncError(
        'transient',
        clean(`five9: ${operation}: ${status ? `HTTP ${status}` : 'network error'}: ${e.message}`),
        {
          crm: 'five9',
          ...(status !== undefined && { status }),
          ...(e.code && { code: e.code }),
        },
      );
    return new CrmsyncError('data', clean(`five9: ${operation}: HTTP ${status}: ${e.message}`), {
      crm: 'five9',
      status,
    });
  }
}
