import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";

/** A redis-server of a test's own, reachable only through a unix socket in a temp directory. */
export interface RedisServer {
  socket: string;
  /** `unix://<socket>`, for CODEX_ORCHESTRATOR_REDIS_URL. */
  url: string;
  /** Stops the server (SIGTERM, waited for). */
  stop(): Promise<void>;
  /** Starts it again on the same socket, empty (nothing is saved). */
  restart(): Promise<void>;
}

/**
 * Starts `redis-server --port 0 --unixsocket <directory>/r.sock --save '' --appendonly no`, spawned
 * directly (no shell), and resolves once it accepts connections. TCP is off, so tests never share
 * a server or a port.
 */
export async function startRedisServer(directory: string): Promise<RedisServer> {
  const socket = path.join(directory, "r.sock");
  let child: ChildProcess = await launch(socket);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  };
  return {
    socket,
    url: `unix://${socket}`,
    stop,
    restart: async () => {
      await stop();
      child = await launch(socket);
    },
  };
}

async function launch(socket: string): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (data: Buffer) => (stderr += data.toString()));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`);
    if (existsSync(socket) && (await accepts(socket))) return child;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server did not start listening on ${socket}`);
}

function accepts(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = net.connect(socket);
    connection.once("connect", () => {
      connection.end();
      resolve(true);
    });
    connection.once("error", () => resolve(false));
  });
}
