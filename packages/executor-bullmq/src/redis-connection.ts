import { OrchestratorError } from "@codex/orchestrator-schema/errors";
import { Redis, type RedisOptions } from "ioredis";

/** Redis cannot be reached (or refuses us) when a coordinator or worker starts: exit 2, one line. */
export class RedisUnreachableError extends OrchestratorError {
  constructor(where: string, reason: string) {
    super(`Cannot reach Redis at ${where}: ${reason}`, {
      code: "ERR_REDIS_UNREACHABLE",
      usage: true,
      hint: "check CODEX_ORCHESTRATOR_REDIS_URL and that redis-server is running",
    });
  }
}

/** A Redis URL that cannot be used. */
export class RedisUrlError extends OrchestratorError {
  constructor(message: string) {
    super(message, {
      code: "ERR_REDIS_URL",
      usage: true,
      hint: "use redis://[user:password@]host[:port][/db], rediss://… (TLS) or unix:///path/to/redis.sock",
    });
  }
}

/** Where a Redis URL points, without its password (for messages). */
export interface RedisTarget {
  options: RedisOptions;
  /** The URL with any password replaced by `***`. */
  display: string;
}

/**
 * Reads `redis://`, `rediss://` (TLS), with `user:password@` for ACLs, or `unix:///path/r.sock`
 * (`?password=` and `?db=` allowed) into ioredis options.
 */
export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RedisUrlError(`Invalid Redis URL (CODEX_ORCHESTRATOR_REDIS_URL): not a URL`);
  }
  const password = url.password === "" ? url.searchParams.get("password") : decodeURIComponent(url.password);
  const username = url.username === "" ? undefined : decodeURIComponent(url.username);
  const db = Number(
    url.searchParams.get("db") ??
      (url.pathname.length > 1 && url.protocol !== "unix:" ? url.pathname.slice(1) : "0"),
  );
  if (!Number.isInteger(db) || db < 0)
    throw new RedisUrlError(`Invalid Redis database in URL: ${url.pathname}`);
  const secret = password === null || password === "" ? {} : { password };
  const user = username === undefined ? {} : { username };
  const shown = new URL(text);
  if (shown.password !== "") shown.password = "***";
  if (shown.searchParams.has("password")) shown.searchParams.set("password", "***");
  const display = shown.toString();
  switch (url.protocol) {
    case "unix:":
      if (url.pathname === "") throw new RedisUrlError("A unix: Redis URL needs a socket path");
      return { options: { path: decodeURIComponent(url.pathname), db, ...secret, ...user }, display };
    case "redis:":
    case "rediss:":
      return {
        options: {
          host: url.hostname || "localhost",
          port: url.port === "" ? 6379 : Number(url.port),
          db,
          ...secret,
          ...user,
          ...(url.protocol === "rediss:" ? { tls: { servername: url.hostname } } : {}),
        },
        display,
      };
    default:
      throw new RedisUrlError(`Unsupported Redis URL scheme "${url.protocol}"`);
  }
}

/**
 * A long-lived connection: commands wait while Redis is away (BullMQ's workers require
 * `maxRetriesPerRequest: null`) and it reconnects with a capped backoff.
 */
export function openConnection(target: RedisTarget, name: string): Redis {
  return new Redis({
    ...target.options,
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
}

/** Connects once, without retrying, and pings: a bad URL, password or address fails here. */
export async function checkRedis(target: RedisTarget): Promise<void> {
  const probe = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new RedisUnreachableError(target.display, firstLine(error));
  } finally {
    probe.disconnect();
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n", 1)[0] ?? text;
}
