/**
 * Redis: one URL for BullMQ and pub/sub. When nothing answers at REDIS_URL on this machine and a
 * `redis-server` binary is on the PATH, one is started as a child process with its data under the data
 * directory; when neither, start-up stops with one sentence that says how to get Redis.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

export class RedisUnavailableError extends Error {}

export function redisClient(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { lazyConnect: false, enableAutoPipelining: false, ...opts });
}

async function answers(url: string, timeoutMs = 1500): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const isLocal = (host: string) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);

export interface RedisHandle {
  url: string;
  /** The redis-server started by us, if any; stopped on shutdown. */
  child: ChildProcess | null;
  stop(): Promise<void>;
}

export async function ensureRedis(url: string, autostart: boolean, dataDir: string, log: Logger): Promise<RedisHandle> {
  const none = { url, child: null, stop: async () => {} };
  if (await answers(url)) return none;
  const u = new URL(url);
  const port = Number(u.port || 6379);
  const hasBinary = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!autostart || !isLocal(u.hostname) || !hasBinary) {
    throw new RedisUnavailableError(
      `Redis is not reachable at ${url}: start one (on Debian or Ubuntu: "apt-get install redis-server", then "redis-server"), or set REDIS_URL to a running Redis.`,
    );
  }
  const dir = path.join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  log.info({ port, dir }, 'redis: nothing answered, starting redis-server');
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '60 1', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await answers(url, 500)) {
      return {
        url,
        child,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(
    `redis-server was started on port ${port} but did not answer; check that the port is free, or set REDIS_URL.`,
  );
}
