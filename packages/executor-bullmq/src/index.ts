export { BullmqExecutor } from "./bullmq-executor.js";
export type { BullmqExecutorOptions } from "./bullmq-executor.js";
export { StageWorker } from "./stage-worker.js";
export type { StageWorkerOptions } from "./stage-worker.js";
export { checkRedis, parseRedisUrl, RedisUnreachableError, RedisUrlError } from "./redis-connection.js";
export type { RedisTarget } from "./redis-connection.js";
export { AttemptEnd, queueKeys, stageJobId, StageJobData, WORKER_TIMING } from "./stage-job.js";
export { CACHE_KEY_PREFIX, MAX_SHARED_ENTRY_BYTES, RedisCacheStore } from "./redis-cache-store.js";
export { openConnection } from "./redis-connection.js";
