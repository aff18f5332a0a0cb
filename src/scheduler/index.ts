/** The scheduler module: what cli/serve.ts wires and what inference and api/ use. */
export { type Clock, FakeClock, systemClock, type TimerHandle } from "./clock.ts";
export { QUEUE_FULL_MESSAGE, QueueFullError, RequestCancelledError, SchedulerClosedError } from "./errors.ts";
export * from "./layout/index.ts";
export type { ModelActivity } from "./activity.ts";
export type { UnloadReason } from "./model-table.ts";
export { Scheduler, type SchedulerStats } from "./scheduler.ts";
export type {
  AcquireRequest,
  Device,
  Lease,
  PsDetails,
  PsEntry,
  RequestedLoadOptions,
  SchedulerEvents,
  SchedulerOptions,
} from "./types.ts";
