import { readFileSync } from 'node:fs';
import { FakeApi, type FakeReply, type FakeRequest, reply } from '@crmsync/core/fake-api';
import soap from 'soap';
import { WSDL_PATH, wsdlOptions } from '../wsdl.js';

export const SERVICE_PATH = '/wsadmin/v13/AdminWebService';

export interface FakeContact {
  values: Record<string, string>;
  /** When it last changed (ms), what a contacts report's time window selects on. */
  modifiedAt: number;
}

export interface FakeFieldDef {
  name: string;
  type: string;
  system: boolean;
  mapTo?: string;
}

const SYSTEM_FIELDS: FakeFieldDef[] = [
  { name: 'number1', type: 'PHONE', system: true },
  { name: 'number2', type: 'PHONE', system: true },
  { name: 'number3', type: 'PHONE', system: true },
  { name: 'first_name', type: 'STRING', system: true },
  { name: 'last_name', type: 'STRING', system: true },
  { name: 'company', type: 'STRING', system: true },
  { name: 'street', type: 'STRING', system: true },
  { name: 'city', type: 'STRING', system: true },
  { name: 'state', type: 'STRING', system: true },
  { name: 'zip', type: 'STRING', system: true },
  { name: 'email', type: 'EMAIL', system: false },
  { name: 'contactID', type: 'STRING', system: false },
  { name: 'sys_created_date', type: 'DATE_TIME', system: true, mapTo: 'None' },
  { name: 'sys_last_disposition', type: 'STRING', system: true, mapTo: 'LastDisposition' },
  { name: 'last_list', type: 'STRING', system: false },
];

/** A SOAP 1.1 fault as Five9 sends it: faultcode, faultstring, the declared fault in detail. */
export function soapFault(name: string, message: string, code = 'soap:Server'): string {
  const detail = name.replace(/Exception$/, 'Fault');
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>${code}</faultcode><faultstring>${message}</faultstring><detail><ns2:${detail} xmlns:ns2="http://service.admin.ws.five9.com/"><message>${message}</message></ns2:${detail}></detail></soap:Fault></soap:Body></soap:Envelope>`;
}

class Fault extends Error {
  constructor(
    readonly Fault: { faultcode: string; faultstring: string; detail: unknown; statusCode: number },
  ) {
    super(Fault.faultstring);
  }
}

const fault = (name: string, message: string) =>
  new Fault({
    faultcode: 'soap:Server',
    faultstring: message,
    detail: { [name.replace(/Exception$/, 'Fault')]: { message } },
    statusCode: 500,
  });

const fakes = new Map<string, Five9Fake>();
let nextId = 1;
let shared: Promise<soap.Server> | undefined;

/** One SOAP server (the WSDL parsed once per process) dispatching to the fake a request names. */
function soapServer(): Promise<soap.Server> {
  shared ??= new Promise((resolve, reject) => {
    const of = (req: { url?: string }) => {
      const id = new URL(req.url ?? '/', 'http://x').searchParams.get('fake') ?? '';
      const fake = fakes.get(id);
      if (!fake) throw fault('ServerException', 'no such fake');
      return fake;
    };
    type Req = { url?: string };
    const port = {
      getContactRecords: (args: unknown, _cb: unknown, _h: unknown, req: Req) =>
        of(req).getContactRecords(args),
      getContactFields: (_a: unknown, _cb: unknown, _h: unknown, req: Req) =>
        of(req).getContactFields(),
      getCallCountersState: (_a: unknown, _cb: unknown, _h: unknown, req: Req) =>
        of(req).callCounters(),
      runReport: (args: unknown, _cb: unknown, _h: unknown, req: Req) => of(req).runReport(args),
      isReportRunning: (args: unknown, _cb: unknown, _h: unknown, req: Req) =>
        of(req).isReportRunning(args),
      getReportResultCsv: (args: unknown, _cb: unknown, _h: unknown, req: Req) =>
        of(req).getReportResultCsv(args),
    };
    const server = soap.listen(null, {
      path: SERVICE_PATH,
      services: { WsAdminService: { WsAdminPort: port } } as never,
      xml: readFileSync(WSDL_PATH, 'utf8'),
      wsdl_options: wsdlOptions,
      callback: (err: unknown) => (err ? reject(err) : resolve(server)),
    } as never);
  });
  return shared;
}

export interface Five9FakeOptions {
  username?: string;
  password?: string;
  latencyMs?: number;
  /** `isReportRunning` answers true this many times before a report is ready. */
  reportPolls?: number;
  /** Records getContactRecords answers at most (Five9: 1,000). */
  cap?: number;
}

/**
 * Five9's Admin Web Service as the plugin's tests see it: the v13 WSDL served (`?wsdl`) and
 * its SOAP 1.1 operations answered by the `soap` package behind the fake-API kit (HTTP Basic,
 * fault queue, latency, request log): `getContactRecords` with `%` wildcards capped at 1,000
 * records and no paging, `getContactFields`, `runReport` / `isReportRunning` /
 * `getReportResultCsv` over a contacts-changed report, `getCallCountersState`; faults as
 * Five9 declares them (`OperationsLimitExceededException` on HTTP 500, …).
 */
export class Five9Fake {
  readonly api: FakeApi;
  readonly id = String(nextId++);
  readonly username: string;
  readonly password: string;
  readonly fieldDefs: FakeFieldDef[] = SYSTEM_FIELDS.map((f) => ({ ...f }));
  contacts: FakeContact[] = [];
  /** Criteria values of every getContactRecords, in order. */
  readonly lookups: string[] = [];
  readonly counters = new Map<string, number>();
  readonly reports = new Map<string, { csv: string; polls: number }>();
  reportPolls: number;
  cap: number;
  /** The report the domain has: folder and name. */
  report = { folder: 'crmsync', name: 'Contacts changed' };
  endpoint = '';
  #reports = 0;

  private constructor(o: Five9FakeOptions) {
    this.username = o.username ?? 'api.user@acme-fake';
    this.password = o.password ?? 'fake-five9-password-9c1e';
    this.reportPolls = o.reportPolls ?? 1;
    this.cap = o.cap ?? 1000;
    this.api = new FakeApi({
      name: 'five9',
      latencyMs: o.latencyMs ?? 0,
      headers: { 'content-type': 'text/xml;charset=UTF-8' },
      auth: {
        kind: 'basic',
        accept: { username: this.username, password: this.password },
        reject: () =>
          reply(401, '<html><body>HTTP Status 401 - Unauthorized</body></html>', {
            'content-type': 'text/html',
          }),
      },
      faultBody: (status) =>
        status === 500
          ? soapFault('ServiceUnavailableException', 'Service is temporarily unavailable')
          : '',
    });
    this.api.post(SERVICE_PATH, (r) => this.#soap(r));
    this.api.get(SERVICE_PATH, (r) =>
      r.query.has('wsdl') ? reply(200, readFileSync(WSDL_PATH, 'utf8')) : reply(404, 'Not Found'),
    );
  }

  static async start(options: Five9FakeOptions = {}): Promise<Five9Fake> {
    await soapServer();
    const fake = new Five9Fake(options);
    fakes.set(fake.id, fake);
    fake.endpoint = `${await fake.api.listen()}${SERVICE_PATH}`;
    return fake;
  }

  async close(): Promise<void> {
    fakes.delete(this.id);
    await this.api.close();
  }

  /** Queues `OperationsLimitExceededException` (HTTP 500) for the next `times` calls. */
  throttle(times = 1): void {
    this.api.fault({
      status: 500,
      times,
      body: soapFault(
        'OperationsLimitExceededException',
        'Query operations limit exceeded: 500 per minute',
      ),
    });
  }

  /** Calls of `getContactRecords` the fake answered (successfully or capped). */
  get contactLookups(): number {
    return this.lookups.length;
  }

  async #soap(r: FakeRequest): Promise<FakeReply> {
    const server = await soapServer();
    const res = await server.processRequest(r.body, {
      url: `${SERVICE_PATH}?fake=${this.id}`,
      method: 'POST',
      headers: r.headers as never,
    });
    return reply(res.statusCode, res.body, { 'content-type': 'text/xml;charset=UTF-8' });
  }

  #count(operation: string): void {
    this.counters.set(operation, (this.counters.get(operation) ?? 0) + 1);
  }

  getContactRecords(args: unknown) {
    this.#count('Query');
    const lookup = (args as { lookupCriteria?: { criteria?: unknown } }).lookupCriteria;
    const raw = lookup?.criteria;
    const criteria = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Array<{
      field?: string;
      value?: string;
    }>;
    if (criteria.length === 0)
      throw fault('MissedArgumentException', 'lookupCriteria.criteria is required');
    const names = this.fieldDefs.map((f) => f.name);
    const tests = criteria.map((c) => {
      if (!c.field || !names.includes(c.field))
        throw fault('CrmFieldNotFoundException', `Field '${c.field}' is not found`);
      const pattern = new RegExp(
        `^${String(c.value ?? '')
          .split('%')
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      const field = c.field;
      return (contact: FakeContact) => pattern.test(contact.values[field] ?? '');
    });
    this.lookups.push(criteria.map((c) => `${c.field}=${c.value}`).join('&'));
    const matched: FakeContact[] = [];
    for (const contact of this.contacts) {
      if (tests.every((t) => t(contact))) matched.push(contact);
      if (matched.length >= this.cap) break;
    }
    if (matched.length === 0) return {};
    return {
      return: {
        fields: names,
        records: matched.map((c) => ({ values: { data: names.map((n) => c.values[n] ?? '') } })),
      },
    };
  }

  getContactFields() {
    this.#count('Query');
    return {
      return: this.fieldDefs.map((f) => ({
        displayAs: 'Short',
        ...(f.mapTo && { mapTo: f.mapTo }),
        name: f.name,
        system: f.system,
        type: f.type,
      })),
    };
  }

  callCounters() {
    return {
      return: ['Query', 'ReportRequest', 'RetrieveReport'].map((operationType) => ({
        limit: operationType === 'Query' ? 500 : 200,
        operationType,
        value: this.counters.get(operationType) ?? 0,
      })),
    };
  }

  runReport(args: unknown) {
    this.#count('ReportRequest');
    const a = args as {
      folderName?: string;
      reportName?: string;
      criteria?: { time?: { start?: unknown; end?: unknown } };
    };
    if (a.folderName !== this.report.folder || a.reportName !== this.report.name)
      throw fault(
        'ReportNotFoundException',
        `Report '${a.folderName}/${a.reportName}' is not found`,
      );
    // The soap package hands xs:dateTime over as a Date (or a string when it could not).
    const instant = (v: unknown) => (v instanceof Date ? v.getTime() : Date.parse(String(v ?? '')));
    const start = instant(a.criteria?.time?.start);
    const end = instant(a.criteria?.time?.end);
    if (Number.isNaN(start) || Number.isNaN(end))
      throw fault('IncorrectArgumentException', 'criteria.time start and end are required');
    const names = this.fieldDefs.map((f) => f.name);
    const changed = this.contacts.filter((c) => c.modifiedAt >= start && c.modifiedAt < end);
    const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const csv = [
      [...names, 'TIMESTAMP'].map(esc).join(','),
      ...changed.map((c) =>
        [...names.map((n) => c.values[n] ?? ''), new Date(c.modifiedAt).toISOString()]
          .map(esc)
          .join(','),
      ),
    ].join('\n');
    const identifier = `report-${this.id}-${++this.#reports}`;
    this.reports.set(identifier, { csv, polls: this.reportPolls });
    return { return: identifier };
  }

  isReportRunning(args: unknown) {
    const id = String((args as { identifier?: string }).identifier);
    const report = this.reports.get(id);
    if (!report) throw fault('UnknownIdentifierException', `Unknown identifier ${id}`);
    const running = report.polls > 0;
    report.polls--;
    return { return: running };
  }

  getReportResultCsv(args: unknown) {
    this.#count('RetrieveReport');
    const id = String((args as { identifier?: string }).identifier);
    const report = this.reports.get(id);
    if (!report) throw fault('UnknownIdentifierException', `Unknown identifier ${id}`);
    if (report.polls >= 0) throw fault('ResultIsNotReadyException', 'Result is not ready');
    return { return: report.csv };
  }
}

/** A contact with number1 `number`, changed at `at`. */
export function fakeContact(n: number, number: string, at: number): FakeContact {
  return {
    modifiedAt: at,
    values: {
      number1: number,
      first_name: `First${n}`,
      last_name: `Last ${n}`,
      company: n % 4 ? '' : `Company ${n}`,
      city: 'Philadelphia',
      state: 'PA',
      zip: '19103',
      email: `contact${n}@example.com`,
      contactID: `c-${String(n).padStart(7, '0')}`,
      sys_created_date: new Date(at).toISOString(),
      last_list: `List ${n % 3}`,
    },
  };
}
