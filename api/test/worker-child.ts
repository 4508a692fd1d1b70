/**
 * A worker process the test can kill mid-job (SIGKILL, no shutdown): started from the app's configuration plus
 * `env` (lock settings, the AI endpoint), resolved once it takes jobs.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import type { Config } from '../src/config.js';
import { poll } from './harness.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface WorkerChild {
  /** What the process printed so far (for failure messages). */
  output(): string;
  /** Kills the process group at once and waits for it to be gone; harmless when it is gone already. */
  kill(): Promise<void>;
}

export async function startWorkerChild(cfg: Config, env: Record<string, string>): Promise<WorkerChild> {
  let out = '';
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['api/test/worker-process.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: cfg.databaseUrl!,
      REDIS_URL: cfg.redisUrl,
      REDIS_AUTOSTART: 'false',
      QUEUE_PREFIX: cfg.queuePrefix,
      SESSION_SECRET: cfg.sessionSecret,
      LTI_ENCRYPTION_KEY: cfg.ltiEncryptionKey,
      DATA_DIR: cfg.dataDir,
      DEV_LMS: 'false',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: tsx runs the script in a child node process, and the kill must reach both.
    detached: true,
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const exited = new Promise<void>((resolve) => (gone() ? resolve() : child.once('exit', () => resolve())));
  const handle: WorkerChild = {
    output: () => out,
    kill: async () => {
      try {
        if (child.pid && !gone()) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    },
  };
  try {
    await poll(
      () => out.includes('worker ready') || gone(),
      30_000,
      () => `worker child: ${out}`,
    );
    expect(out).toContain('worker ready');
  } catch (err) {
    await handle.kill();
    throw err;
  }
  return handle;
}
