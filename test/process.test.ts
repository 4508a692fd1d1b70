/**
 * The process entry as a real child process, as production runs it (the bundle bin/build-server.ts makes,
 * dist/start.mjs, under plain node): starts with the embedded database, serves, shuts down
 * gracefully on SIGTERM (sockets closed with a reason), starts its own redis-server when none answers, and
 * says in one sentence how to get Redis when it cannot.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { buildServer } from '../bin/build-server.js';

const root = path.resolve(import.meta.dirname, '..');
beforeAll(async () => {
  await buildServer('bin/start.ts', 'dist/start.mjs');
});

const children = new Set<ChildProcess>();
// A failed assertion must not leave a server running.
afterEach(() => {
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL'); // the whole group: the app may have started a redis-server
    } catch {
      /* already gone */
    }
  }
  children.clear();
});

function start(env: Record<string, string>, dataDir: string): { child: ChildProcess; out: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/start.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      SHUTDOWN_GRACE_MS: '2000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out };
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: () => string) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );
const ready = async (url: string) => {
  try {
    return (await fetch(url + '/readyz')).ok;
  } catch {
    return false;
  }
};

describe('process', () => {
  it('runs with the embedded database, keeps data across a restart, and shuts down gracefully on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-proc-'));
    const port = String(41000 + Math.floor(Math.random() * 1000));
    const url = `http://127.0.0.1:${port}`;
    try {
      const a = start({ PORT: port }, dataDir);
      await waitFor(() => ready(url), 60_000, a.out);
      // The log line may reach the pipe just after the server answers: wait for it rather than race it.
      await waitFor(() => a.out().includes('"database":"pglite"'), 10_000, a.out);
      expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true);
      // A WebSocket client is told why it was closed.
      const closes: number[] = [];
      const token = 'x';
      const client = createClient({
        url: url.replace('http', 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => {},
        connectionParams: { token },
        on: { closed: (e) => closes.push((e as { code: number }).code) },
      });
      client.on('error', () => {});
      await waitFor(
        () => closes.length > 0,
        10_000,
        () => 'no close for a bad token',
      );
      expect(closes[0]).toBe(4401);
      a.child.kill('SIGTERM');
      expect(await exited(a.child)).toBe(0);
      expect(a.out()).toContain('"msg":"stopped"');

      // Same data directory: the database (and the dev session secret) survive the restart.
      const b = start({ PORT: port }, dataDir);
      await waitFor(() => ready(url), 60_000, b.out);
      b.child.kill('SIGTERM');
      expect(await exited(b.child)).toBe(0);
      void client.dispose();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('starts its own redis-server when nothing answers at REDIS_URL, and stops it on exit', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-proc-'));
    const port = String(42000 + Math.floor(Math.random() * 1000));
    const redisPort = String(16000 + Math.floor(Math.random() * 1000));
    try {
      const p = start({ PORT: port, REDIS_URL: `redis://127.0.0.1:${redisPort}`, ROLE: 'api' }, dataDir);
      await waitFor(() => ready(`http://127.0.0.1:${port}`), 60_000, p.out);
      expect(p.out()).toContain('starting redis-server');
      expect(existsSync(path.join(dataDir, 'redis'))).toBe(true);
      p.child.kill('SIGTERM');
      expect(await exited(p.child)).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('without Redis and without redis-server on the PATH, exits with one sentence saying how to get Redis', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-proc-'));
    try {
      // A PATH with node and nothing else (node may share /usr/bin with redis-server).
      const bin = path.join(dataDir, 'bin');
      mkdirSync(bin);
      symlinkSync(process.execPath, path.join(bin, 'node'));
      const p = start({ PORT: '0', REDIS_URL: 'redis://127.0.0.1:1', PATH: bin }, dataDir);
      expect(await exited(p.child)).toBe(1);
      expect(p.out()).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1: start one .*redis-server.*or set REDIS_URL/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a bad configuration with the name of the variable', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-proc-'));
    try {
      const p = start({ PORT: 'eighty' }, dataDir);
      expect(await exited(p.child)).toBe(2);
      expect(p.out()).toContain('Configuration error: PORT must be a whole number');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
