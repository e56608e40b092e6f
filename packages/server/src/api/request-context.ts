import type { ApiPubSub } from '../events/pubsub.js';
import type { ApiRuntime } from '../runtime/api-runtime.js';
import type { ScheduleService } from '../schedules/schedule-service.js';
import type { PrismaClient } from '../store/index.js';
import type { HealthMonitor } from './health-monitor.js';
import type { RunControl } from './run-control.js';

/**
 * What every GraphQL resolver receives. Apart from the host's runtime contract so that the
 * run control, which needs the runtime, is not imported back by the runtime.
 */
export interface ApiContext {
  runtime: ApiRuntime;
  prisma: PrismaClient;
  pubsub: ApiPubSub;
  runs: RunControl;
  schedules: ScheduleService;
  /** Background health checks, cached: answers at once. */
  health: HealthMonitor;
}
