import {
  fakeZohoConfig,
  type FakeZohoOptions,
  startFakeZoho,
} from '../../packages/plugin-zoho/src/fake-server/index.js';

/** What the parent asks over IPC; every question gets `{ id, answer }` back. */
export type ZohoFakeQuestion = { id: number } & (
  | { op: 'latency'; ms: number }
  | { op: 'ids'; module: string }
  | { op: 'stats'; path: string }
);

/** The answer to `stats`: calls logged on `path` so far and the CPU this process has used. */
export interface ZohoFakeStats {
  calls: number;
  cpuSeconds: number;
}

/**
 * The fake Zoho of twoway.bench.ts in a process of its own, as the real Zoho is: its JSON work
 * is not the pushing process's CPU. Argument: the fake's options as JSON. Sends `{ config }`
 * (the plugin config pointing at it) once listening, then answers the parent's questions
 * (`ZohoFakeQuestion`) until told to stop by SIGTERM.
 */
const options = JSON.parse(process.argv[2] ?? '{}') as FakeZohoOptions;
const fake = await startFakeZoho(options);
const send = (message: unknown) => process.send?.(message);

process.on('message', (question: ZohoFakeQuestion) => {
  const answer = () => {
    switch (question.op) {
      case 'latency':
        fake.api.latencyMs = question.ms;
        return null;
      case 'ids':
        return fake.org
          .module(question.module)
          .records.all()
          .map((r) => r.id);
      case 'stats': {
        const cpu = process.cpuUsage();
        return {
          calls: fake.api.count((r) => r.path === question.path),
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
        } satisfies ZohoFakeStats;
      }
    }
  };
  send({ id: question.id, answer: answer() });
});
process.on('SIGTERM', () => {
  void fake.close().finally(() => process.exit(0));
});
send({ config: fakeZohoConfig(fake) });
