import JSONParser from '@streamparser/json/jsonparser.js';
import { SaxesParser } from 'saxes';
import type { EdmType, EntitySetSpec } from './schema.js';
import { parseNaive, wallToInstant } from './timezone.js';

export type ODataValue = string | number | boolean | null;
export type ODataRecord = Record<string, ODataValue>;

/** What one answer held: its records, and the server's next link when it cut the page short. */
export interface ODataPage {
  records: ODataRecord[];
  next?: string;
}

const METADATA_NS = 'http://schemas.microsoft.com/ado/2007/08/dataservices/metadata';
const DATA_NS = 'http://schemas.microsoft.com/ado/2007/08/dataservices';
const ATOM_NS = 'http://www.w3.org/2005/Atom';
const JSON_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/**
 * Turns the service's wire values into plain ones by each property's EDM type: a naive
 * DateTime (Atom `2024-01-02T03:04:05`, JSON `/Date(ms)/`, both the server's wall clock) becomes
 * an ISO instant read in `timeZone` (UTC for the `…Utc` properties); numbers and booleans
 * become numbers and booleans; an `Edm.Decimal` stays a string (exact).
 */
export class ValueReader {
  constructor(
    readonly spec: EntitySetSpec,
    readonly timeZone: string,
  ) {}

  read(name: string, value: unknown): ODataValue | undefined {
    const type: EdmType | undefined = this.spec.properties[name];
    if (type === undefined) return undefined;
    if (value === null || value === undefined) return null;
    switch (type) {
      case 'Edm.DateTime':
        return this.#dateTime(name, String(value));
      case 'Edm.Int32':
      case 'Edm.Double': {
        const n = typeof value === 'number' ? value : Number(value);
        return Number.isFinite(n) ? n : String(value);
      }
      case 'Edm.Boolean':
        return typeof value === 'boolean' ? value : value === 'true';
      default:
        return String(value);
    }
  }

  #dateTime(name: string, text: string): string {
    const zone = name.endsWith('Utc') ? 'UTC' : this.timeZone;
    const json = JSON_DATE.exec(text);
    if (json) {
      const ms = Number(json[1]);
      // `/Date(ms+hhmm)/` is a DateTimeOffset: already an instant.
      return new Date(json[2] ? ms : wallToInstant(ms, zone)).toISOString();
    }
    const wall = parseNaive(text);
    return wall === null ? text : new Date(wallToInstant(wall, zone)).toISOString();
  }
}

/**
 * Reads a JSON verbose answer as it arrives: `{"d":{"results":[…],"__next":"…"}}` or a bare
 * `{"d":[…]}`. Each record is handed over as soon as it is complete and is not kept by the
 * parser, so an answer never sits in memory whole (neither its text nor its tree).
 */
export async function readJsonVerbose(
  body: AsyncIterable<Uint8Array>,
  reader: ValueReader,
): Promise<ODataPage> {
  const parser = new JSONParser({ paths: ['$.d.results.*', '$.d.*'], keepStack: false });
  const page: ODataPage = { records: [] };
  parser.onValue = ({ value, key }) => {
    if (typeof key === 'number' && value && typeof value === 'object' && !Array.isArray(value)) {
      page.records.push(convert(value as Record<string, unknown>, reader));
    } else if (key === '__next' && typeof value === 'string') page.next = value;
  };
  for await (const chunk of body) parser.write(chunk);
  if (!parser.isEnded) parser.end();
  return page;
}

function convert(raw: Record<string, unknown>, reader: ValueReader): ODataRecord {
  const out: ODataRecord = {};
  for (const name of Object.keys(raw)) {
    const v = reader.read(name, raw[name]);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/**
 * Reads an Atom answer (`feed/entry/content/m:properties/d:*`, the service's default payload)
 * with a streaming XML parser: records are built property by property as the text arrives,
 * `m:null="true"` is null, and the feed's `<link rel="next">` is the next page.
 */
export async function readAtom(
  body: AsyncIterable<Uint8Array>,
  reader: ValueReader,
): Promise<ODataPage> {
  const parser = new SaxesParser({ xmlns: true });
  const page: ODataPage = { records: [] };
  const decoder = new TextDecoder();
  let depth = 0;
  let feedDepth = -1;
  let inProperties = false;
  let current: Record<string, unknown> | null = null;
  let property: string | null = null;
  let isNull = false;
  let text = '';
  let error: Error | undefined;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag) => {
    depth++;
    if (tag.uri === ATOM_NS && tag.local === 'feed' && feedDepth < 0) feedDepth = depth;
    else if (tag.uri === ATOM_NS && tag.local === 'link' && depth === feedDepth + 1) {
      const rel = tag.attributes.rel;
      const href = tag.attributes.href;
      if (
        rel &&
        href &&
        typeof rel === 'object' &&
        typeof href === 'object' &&
        rel.value === 'next'
      )
        page.next = href.value;
    } else if (tag.uri === METADATA_NS && tag.local === 'properties') {
      inProperties = true;
      current = {};
    } else if (inProperties && tag.uri === DATA_NS) {
      property = tag.local;
      text = '';
      const nullAttr = Object.values(tag.attributes).find(
        (a) => typeof a === 'object' && a.uri === METADATA_NS && a.local === 'null',
      );
      isNull = typeof nullAttr === 'object' && nullAttr.value === 'true';
    }
  });
  parser.on('text', (t) => {
    if (property !== null) text += t;
  });
  parser.on('closetag', (tag) => {
    depth--;
    if (property !== null && tag.local === property && current) {
      current[property] = isNull ? null : text;
      property = null;
    } else if (tag.uri === METADATA_NS && tag.local === 'properties' && current) {
      page.records.push(convert(current, reader));
      current = null;
      inProperties = false;
    }
  });
  for await (const chunk of body) {
    parser.write(decoder.decode(chunk, { stream: true }));
    if (error) throw error;
  }
  parser.write(decoder.decode());
  parser.close();
  if (error) throw error;
  return page;
}
