import { startFakePipedrive } from '../../packages/plugin-pipedrive/src/fake-server/index.js';

/**
 * The fake Pipedrive of sfpd.bench.ts in a process of its own, as a vendor is: its JSON work
 * is not the reader's CPU. Prints `{ baseUrl, token }` once listening; serves until killed.
 * Argument: the fake's options as JSON.
 */
const options = JSON.parse(process.argv[2] ?? '{}');
const fake = await startFakePipedrive(options);
process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl, token: fake.token })}\n`);
process.on('SIGTERM', () => {
  void fake.api.close().finally(() => process.exit(0));
});
