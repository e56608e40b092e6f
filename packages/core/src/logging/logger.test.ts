import { describe, expect, it } from 'vitest';
import { contentHash, stableStringify } from '../hash.js';
import { createLogger, redact, silentLogger } from './logger.js';

describe('contentHash', () => {
  it('is the same whatever the key order, at every depth', () => {
    const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: null } };
    const b = { a: { x: null, y: [1, { p: 2, q: 1 }] }, b: 1 };
    expect(stableStringify(a)).toBe(stableStringify(b));
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(a)).toMatch(/^[0-9a-f]{40}$/);
  });

  it('gives exactly the text of JSON.stringify with sorted keys (stored hashes stay valid)', () => {
    // The replacer-based definition the hand-written one must match.
    const reference = (value: unknown) =>
      JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(
              Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
                a < b ? -1 : a > b ? 1 : 0,
              ),
            )
          : v,
      );
    const samples: unknown[] = [
      { z: 1, a: 'x"y\\n\u0001é', m: [1, undefined, () => 1, null, Number.NaN, -0, 1e21, 0.1] },
      {
        d: new Date('2026-01-02T03:04:05.006Z'),
        u: undefined,
        n: null,
        nested: { b: [{ y: 2, x: 1 }], a: true },
      },
      { '10': 'a', '9': 'b', B: 1, a: 2, ä: 3, '': 4 },
      // Inherited enumerable keys are not JSON's: sorted or not, only own keys count.
      Object.assign(Object.create({ zz: { y: 1, x: 2 }, a0: 1 }) as object, { a: 1, b: 2 }),
      Object.assign(Object.create({ c: 3 }) as object, { b: 1, a: 2 }),
      [{ b: 1, a: 2 }, 'text', false, Number.POSITIVE_INFINITY],
      'plain',
      42,
      null,
      {},
      [],
    ];
    for (const sample of samples) expect(stableStringify(sample)).toBe(reference(sample));
  });

  it('changes when a value, an array order or a type changes', () => {
    const base = contentHash({ a: 1, list: [1, 2] });
    expect(contentHash({ a: 2, list: [1, 2] })).not.toBe(base);
    expect(contentHash({ a: 1, list: [2, 1] })).not.toBe(base);
    expect(contentHash({ a: '1', list: [1, 2] })).not.toBe(base);
  });
});

describe('logger', () => {
  it('redacts every secret, ignoring ones too short to be real', () => {
    expect(redact('token abc123 and abc123 again', ['abc123'])).toBe('token *** and *** again');
    expect(redact('a b', ['a', ''])).toBe('a b');
  });

  it('writes at or above its level, namespaced, with secrets removed from message and details', () => {
    const lines: Array<{ level: string; namespace: string; message: string; details?: unknown }> =
      [];
    const log = createLogger('crmsync:engine', {
      level: 'info',
      secrets: ['s3cr3t-token'],
      sink: (line) => lines.push(line),
    });
    log.debug('hidden');
    log.info('using s3cr3t-token', { header: 'Bearer s3cr3t-token' });
    log.child('run').warn('slow');
    log.child('crmsync:plugin:faker').error('bad');
    expect(lines).toEqual([
      {
        level: 'info',
        namespace: 'crmsync:engine',
        message: 'using ***',
        details: { header: 'Bearer ***' },
      },
      { level: 'warn', namespace: 'crmsync:engine:run', message: 'slow', details: undefined },
      { level: 'error', namespace: 'crmsync:plugin:faker', message: 'bad', details: undefined },
    ]);
  });

  it('a debug-level logger writes debug lines; the silent logger writes nothing', () => {
    const lines: string[] = [];
    const log = createLogger('crmsync:test', { level: 'debug', sink: (l) => lines.push(l.level) });
    log.debug('a');
    expect(lines).toEqual(['debug']);
    const original = process.stderr.write.bind(process.stderr);
    let written = '';
    process.stderr.write = ((chunk: string) => {
      written += chunk;
      return true;
    }) as typeof process.stderr.write;
    try {
      silentLogger().error('nothing');
      createLogger('crmsync:x').warn('to stderr');
    } finally {
      process.stderr.write = original;
    }
    expect(written).toBe('warn crmsync:x: to stderr\n');
  });
});

describe('credentials inside URLs', () => {
  it('are removed from every line and detail a logger writes, secrets configured or not', () => {
    const lines: string[] = [];
    const log = createLogger('crmsync:test', {
      sink: (l) => lines.push(`${l.message} ${JSON.stringify(l.details)}`),
    });
    log.warn('connect ECONNREFUSED (http://crm-user:s3cret-pw@10.0.0.5:8080/v1/contacts)', {
      url: 'mysql://reader:s3cret-pw@db:3306/genius',
      dsn: 'postgresql://postgres:s3cret-pw@127.0.0.1/x?sslmode=require',
    });
    expect(lines.join('\n')).not.toContain('s3cret-pw');
    expect(lines[0]).toContain('http://***@10.0.0.5:8080/v1/contacts');
    expect(lines[0]).toContain('mysql://***@db:3306/genius');
  });

  it('never make a log line throw, even with a detail JSON cannot hold', () => {
    const lines: unknown[] = [];
    const log = createLogger('crmsync:test', { sink: (l) => lines.push(l.details) });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => log.warn('page', { cycle, count: 1n })).not.toThrow();
    expect(lines).toEqual([{ unprintable: true }]);
  });

  it('leave a URL without credentials, and an e-mail address, as they were', () => {
    const text = 'GET https://api.example.com/v1?after=a@b mailto ann@example.com';
    expect(redact(text, [])).toBe(text);
    expect(redact('https://tok@api.example.com/x', [])).toBe('https://***@api.example.com/x');
  });
});
