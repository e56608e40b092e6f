import { afterEach, expect, it } from 'vitest';
import { FakeApi } from './server.js';

let api: FakeApi | undefined;
afterEach(() => api?.close());

it('sends a byte body (a ZIP download) as it is, with the handler’s content type', async () => {
  api = new FakeApi({ name: 'acme' });
  const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x80]);
  api.get('/file.zip', () => ({
    status: 200,
    body: Buffer.from(bytes),
    headers: { 'content-type': 'application/zip' },
  }));
  const res = await fetch(`${await api.listen()}/file.zip`);
  expect(res.headers.get('content-type')).toBe('application/zip');
  expect(res.headers.get('content-length')).toBe(String(bytes.length));
  expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
});
