import { wallToInstant } from '@crmsync/core';
import type { EdmType, EntitySetSpec } from './schema.js';
import { parseNaive } from './timezone.js';

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
 * `{"d":[…]}`. A scanner follows the text's nesting (strings and escapes included) and cuts
 * out each element of the records array as soon as its closing brace arrives; that element is
 * parsed on its own with `JSON.parse`, converted and handed over, so neither the answer's text
 * nor its tree is ever held whole. What is left (the envelope, `__next`) is parsed at the end.
 * (Measured on 50,000 activities: a token-event streaming parser, `@streamparser/json`, took
 * 8.4 s where this took as long as one `JSON.parse` of the whole text, 0.4 s.)
 */
export async function readJsonVerbose(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  reader: ValueReader,
): Promise<ODataPage> {
  const page: ODataPage = { records: [] };
  const scanner = new RecordScanner((text) => {
    page.records.push(convert(JSON.parse(text) as Record<string, unknown>, reader));
  });
  const decoder = new TextDecoder();
  for await (const chunk of body)
    scanner.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  scanner.write(decoder.decode());
  const envelope = JSON.parse(scanner.end()) as { d?: { __next?: unknown } | unknown[] };
  const d = envelope.d;
  if (d === undefined || d === null || typeof d !== 'object')
    throw new SyntaxError('not an OData JSON verbose answer: no "d"');
  if (!Array.isArray(d) && typeof d.__next === 'string') page.next = d.__next;
  return page;
}

const OPEN_OBJECT = 123; // {
const CLOSE_OBJECT = 125; // }
const OPEN_ARRAY = 91; // [
const CLOSE_ARRAY = 93; // ]
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Cuts the objects of the records array (`d.results[*]` at depth 3, or a bare `d[*]` at
 * depth 2) out of JSON text fed in pieces, keeping everything else as the envelope.
 */
class RecordScanner {
  /** Text of the record being cut, from its opening brace (chunks joined at its end). */
  #record: string[] = [];
  #envelope: string[] = [];
  /** Containers open, outermost first: true for an array. */
  #stack: boolean[] = [];
  /** Depth (stack length) at which the record being cut started; -1 when outside one. */
  #recordDepth = -1;
  #inString = false;
  #escape = false;
  /** Whether the last string closed at depth 2 was the key `results`. */
  #lastKey = '';
  #keyStart = -1;
  #keyText = '';
  #resultsDepth = -1;
  #separators = false;

  constructor(readonly onRecord: (text: string) => void) {}

  write(text: string): void {
    let from = 0; // start of the current piece not yet handed to envelope or record
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.#separators) {
        // The commas between records stay out of the envelope, so its array parses as `[]`.
        if (c === 44 || c <= 32) {
          from = i + 1;
          continue;
        }
        this.#separators = false;
      }
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === BACKSLASH) this.#escape = true;
        else if (c === QUOTE) {
          this.#inString = false;
          if (this.#keyStart >= 0) {
            this.#lastKey = this.#keyText + text.slice(this.#keyStart, i);
            this.#keyStart = -1;
          }
        }
        continue;
      }
      if (c === QUOTE) {
        this.#inString = true;
        // Keys of `d` (depth 2) are remembered, to know which array holds the records.
        if (this.#recordDepth < 0 && this.#stack.length === 2 && !this.#stack[1]) {
          this.#keyStart = i + 1;
          this.#keyText = '';
        }
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        const depth = this.#stack.length;
        if (
          c === OPEN_OBJECT &&
          this.#recordDepth < 0 &&
          this.#stack[depth - 1] === true &&
          (depth === this.#resultsDepth || (depth === 2 && this.#stack[0] === false))
        ) {
          this.#envelope.push(text.slice(from, i));
          from = i;
          this.#recordDepth = depth;
        }
        if (c === OPEN_ARRAY && depth === 2 && this.#lastKey === 'results') this.#resultsDepth = 3;
        this.#stack.push(c === OPEN_ARRAY);
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.#stack.pop();
        if (c === CLOSE_OBJECT && this.#stack.length === this.#recordDepth) {
          this.#record.push(text.slice(from, i + 1));
          from = i + 1;
          this.#recordDepth = -1;
          const record =
            this.#record.length === 1 ? (this.#record[0] as string) : this.#record.join('');
          this.#record = [];
          this.onRecord(record);
          this.#separators = true;
        }
      }
    }
    if (this.#keyStart >= 0) {
      this.#keyText += text.slice(this.#keyStart);
      this.#keyStart = 0;
    }
    const rest = text.slice(from);
    if (this.#recordDepth >= 0) this.#record.push(rest);
    else this.#envelope.push(rest);
  }

  /** The envelope: the answer without its records. */
  end(): string {
    if (this.#recordDepth >= 0 || this.#inString || this.#stack.length > 0)
      throw new SyntaxError('the JSON answer ended part-way');
    return this.#envelope.join('');
  }
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
  // Imported for an Atom answer only, not with the plugin: its XML character tables are slow
  // to load, and `crmsync list` loads every plugin.
  const { SaxesParser } = await import('saxes');
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
