import { type Checkpoint, CrmsyncError, type FetchRequest, type Page } from '@crmsync/core';
import { columnLetters, parseA1, quoteSheet } from './a1.js';
import { fieldNames, ROW_FIELD, type TabConfig } from './tabs.js';

export type SheetRow = Record<string, unknown>;

/** The mark a complete read leaves: the spreadsheet's Drive modifiedTime it read. */
export const MODIFIED_MARK = 'modifiedTime';

/**
 * Whether the spreadsheet is the one the last complete read saw: its Drive modifiedTime is
 * the one that read left as a mark. A store without marks (or no complete read yet) falls
 * back to the time test — modified before the delta start, the last run's start minus the
 * overlap — which re-reads for the overlap's minutes after every edit.
 */
function unchanged(modified: Date, request: FetchRequest): boolean {
  const seen = request.marks?.[MODIFIED_MARK];
  if (seen !== undefined) return seen === modified.toISOString();
  return request.since !== undefined && modified < request.since;
}

/** Sends one authenticated GET (bearer token, retries, quota backoff) and returns parsed JSON. */
export type GoogleTransport = <T>(url: string, signal: AbortSignal) => Promise<T>;

interface ValueRange {
  range: string;
  majorDimension: string;
  values?: unknown[][];
}

interface SpreadsheetProperties {
  sheets?: Array<{
    properties?: { title?: string; gridProperties?: { rowCount?: number; columnCount?: number } };
  }>;
}

export interface SheetsClientOptions {
  /** `https://sheets.googleapis.com` (the discovery rootUrl) or a fake's. */
  baseUrl: string;
  /** `https://www.googleapis.com` (Drive's rootUrl) or a fake's. */
  driveBaseUrl: string;
  transport: GoogleTransport;
}

/**
 * Reads configured tabs through Sheets API v4 `values.get`, one window of rows per request,
 * and asks Drive for the file's `modifiedTime` so an unchanged spreadsheet is not re-read.
 *
 * @example
 * for await (const page of client.readTab({ entity: 'leads', spreadsheetId, range: 'Leads!A:Z' }, request)) …
 */
export class SheetsClient {
  private readonly baseUrl: string;
  private readonly driveBaseUrl: string;
  private readonly transport: GoogleTransport;

  constructor(options: SheetsClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.driveBaseUrl = options.driveBaseUrl.replace(/\/+$/, '');
    this.transport = options.transport;
  }

  /** Drive `files.get?fields=modifiedTime`: when the spreadsheet last changed. */
  async modifiedTime(fileId: string, signal: AbortSignal): Promise<Date | null> {
    const url = `${this.driveBaseUrl}/drive/v3/files/${encodeURIComponent(fileId)}?fields=id,modifiedTime`;
    const file = await this.transport<{ modifiedTime?: string }>(url, signal);
    const t = file.modifiedTime ? new Date(file.modifiedTime) : null;
    return t && !Number.isNaN(t.getTime()) ? t : null;
  }

  async tabs(
    spreadsheetId: string,
    signal: AbortSignal,
  ): Promise<Array<{ title: string; rowCount: number }>> {
    const url = `${this.baseUrl}/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}?fields=sheets.properties`;
    const body = await this.transport<SpreadsheetProperties>(url, signal);
    return (body.sheets ?? []).map((s) => ({
      title: String(s.properties?.title ?? ''),
      rowCount: Number(s.properties?.gridProperties?.rowCount ?? 0),
    }));
  }

  async values(
    spreadsheetId: string,
    range: string,
    render: string,
    signal: AbortSignal,
  ): Promise<unknown[][]> {
    const url = new URL(
      `${this.baseUrl}/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}/values/${encodeURIComponent(range)}`,
    );
    url.searchParams.set('majorDimension', 'ROWS');
    url.searchParams.set('valueRenderOption', render);
    if (render !== 'FORMATTED_VALUE')
      url.searchParams.set('dateTimeRenderOption', 'FORMATTED_STRING');
    const body = await this.transport<ValueRange>(url.toString(), signal);
    // Google leaves `values` out of an empty range, and drops trailing empty rows and cells.
    return body.values ?? [];
  }

  /**
   * Streams a tab's rows, `batchSize` sheet rows per request (thousands by default: the
   * quota counts requests, not rows), keyed by the configured column (or the sheet row
   * number). On a delta, a spreadsheet whose Drive modifiedTime is the one the last complete
   * read saw is not read: one empty `notModified` page says so. Every page carries that
   * modifiedTime as a mark, which the engine keeps once the read completes.
   */
  async *readTab(tab: TabConfig, request: FetchRequest): AsyncGenerator<Page<SheetRow>> {
    const { signal } = request;
    // Drive's modifiedTime as this read saw it, before reading: an edit made while the tab is
    // read moves it past this value, so the next run reads again.
    const modified = await this.modifiedTime(tab.spreadsheetId, signal);
    const marks = modified ? { [MODIFIED_MARK]: modified.toISOString() } : undefined;
    if (request.mode === 'delta' && modified && unchanged(modified, request)) {
      request.logger.info(
        `Spreadsheet ${tab.spreadsheetId} unchanged since ${modified.toISOString()}: ${tab.entity} not re-read`,
      );
      yield { records: [], notModified: true, ...(marks && { marks }) };
      return;
    }
    const tabs = await this.tabs(tab.spreadsheetId, signal);
    const a1 = parseA1(
      tab.range,
      tabs.map((t) => t.title),
    );
    if (!a1)
      throw new CrmsyncError(
        'config',
        `GSHEET_TABS: range ${tab.range} names no tab of spreadsheet ${tab.spreadsheetId}`,
        { crm: 'gsheet', entity: tab.entity },
      );
    const grid = tabs.find((t) => t.title === a1.sheet)?.rowCount ?? 0;
    const render = tab.valueRenderOption ?? 'FORMATTED_VALUE';
    const c0 = columnLetters(a1.startCol ?? 1);
    // An open-ended range (a whole tab) reads up to column ZZ.
    const c1 = columnLetters(a1.endCol ?? 702);
    const window = (from: number, to: number) => `${quoteSheet(a1.sheet)}!${c0}${from}:${c1}${to}`;
    const headerRow = tab.headerRow ?? a1.startRow ?? 1;
    const gridEnd = Math.min(a1.endRow ?? grid, grid);
    const [header] = await this.values(
      tab.spreadsheetId,
      window(headerRow, headerRow),
      render,
      signal,
    );
    if (!header || header.length === 0) {
      throw new CrmsyncError(
        'config',
        `${tab.entity}: row ${headerRow} of ${a1.sheet} holds no header`,
        { crm: 'gsheet', entity: tab.entity },
      );
    }
    const names = fieldNames(header);
    // Reading empty grid rows costs quota (a tab has 1,000 rows by default), so the read ends
    // at the last row with a value in the key column (or, keyed by row number, column one).
    const keyIndex = tab.keyColumn ? names.indexOf(tab.keyColumn) : 0;
    if (keyIndex < 0) {
      throw new CrmsyncError(
        'config',
        `${tab.entity}: key column '${tab.keyColumn}' is not in the header of ${a1.sheet} (${names.join(', ')})`,
        { crm: 'gsheet', entity: tab.entity },
      );
    }
    const keyCol = columnLetters((a1.startCol ?? 1) + keyIndex);
    const keyCells = await this.values(
      tab.spreadsheetId,
      `${quoteSheet(a1.sheet)}!${keyCol}${headerRow}:${keyCol}${Math.max(headerRow, gridEnd)}`,
      render,
      signal,
    );
    const lastRow = headerRow + keyCells.length - 1;
    const size = Math.max(1, Math.floor(request.batchSize));
    const resume = Number(request.checkpoint?.nextRow);
    for (
      let from = Number.isInteger(resume) && resume > headerRow ? resume : headerRow + 1;
      from <= lastRow;
      from += size
    ) {
      signal.throwIfAborted();
      // Whole windows even past the last row: Google answers only what exists.
      const to = from + size - 1;
      const rows = await this.values(tab.spreadsheetId, window(from, to), render, signal);
      const records: SheetRow[] = [];
      rows.forEach((cells, i) => {
        if (cells.every((c) => c === '' || c === null || c === undefined)) return;
        const record: SheetRow = { [ROW_FIELD]: from + i };
        names.forEach((name, c) => {
          const v = cells[c];
          record[name] = v === undefined || v === '' ? null : v;
        });
        records.push(record);
      });
      yield {
        records,
        estimatedTotal: Math.max(0, lastRow - headerRow),
        checkpoint: { nextRow: to + 1 } as Checkpoint,
        ...(marks && { marks }),
      };
    }
  }
}
