import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fakerPlugin } from '@crmsync/plugin-faker';
import { createCrmsync } from '../../src/app.js';
import { type EventsTarget, openRunEventBridge } from '../../src/scheduler/run-event-bridge.js';

// The worker side of run-event-bridge.test.ts, in its own process: a real faker sync whose
// engine events go out over the bridge. Prints the run id as its last line.
const { target, channel } = JSON.parse(process.argv[2] as string) as {
  target: EventsTarget;
  channel: string;
};
const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-bridge-'));
const bridge = await openRunEventBridge(target, { channel });
const app = await createCrmsync({
  cwd: dir,
  database: `file:${path.join(dir, 'crmsync.db')}`,
  plugins: [fakerPlugin],
  // No simulated edits: a record edited mid-read is read twice, and the counts must be exact.
  env: { FAKER_SIZE: '120', FAKER_REQUESTS_PER_SECOND: '1000', FAKER_CHANGES_PER_MINUTE: '0' },
});
try {
  const [run] = await app.sync(
    'faker',
    'contacts',
    { batchSize: '20' },
    { onEvent: bridge.publish },
  );
  // Let the last NOTIFY/PUBLISH leave before the connections close.
  await new Promise((r) => setTimeout(r, 300));
  process.stdout.write(`${run?.id}\n`);
} finally {
  await app.close();
  await bridge.close();
  rmSync(dir, { recursive: true, force: true });
}
