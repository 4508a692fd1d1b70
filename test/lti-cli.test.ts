/** `npm run lti:platform`: manual registration of any LTI 1.3 platform, as a real child process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freshPgDatabase } from '../api/test/harness.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

describe('lti:platform command', () => {
  let db: { url: string; drop: () => Promise<void> };
  let dataDir: string;
  beforeAll(async () => {
    db = await freshPgDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-cli-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const cli = (...args: string[]) =>
    run(tsx, ['bin/lti-platform.ts', ...args], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'silent',
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        REDIS_AUTOSTART: 'false',
        PUBLIC_URL: 'https://tool.example.edu',
      },
    }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );

  it('adds a platform, prints what its admin needs, lists it, deactivates it; refuses bad input with a clear message', async () => {
    const add = await cli(
      'add',
      '--issuer',
      'https://lms.example.edu',
      '--client-id',
      'abc123',
      '--auth-endpoint',
      'https://lms.example.edu/auth',
      '--token-endpoint',
      'https://lms.example.edu/token',
      '--jwks-url',
      'https://lms.example.edu/jwks',
      '--deployment',
      '1',
      '--product',
      'moodle',
    );
    expect(add.code).toBe(0);
    expect(add.out).toContain('Login (OIDC initiation) URL: https://tool.example.edu/lti/login');
    expect(add.out).toContain('Public keyset (JWKS) URL:    https://tool.example.edu/lti/keys');
    const list = await cli('list');
    expect(list.out).toMatch(/active\s+moodle\s+https:\/\/lms\.example\.edu\s+client_id=abc123/);
    expect((await cli('deactivate', '--issuer', 'https://lms.example.edu', '--client-id', 'abc123')).code).toBe(0);
    expect((await cli('list')).out).toMatch(/disabled\s+moodle/);
    const bad = await cli(
      'add',
      '--issuer',
      'not a url',
      '--client-id',
      'x',
      '--auth-endpoint',
      'https://a',
      '--token-endpoint',
      'https://a',
      '--jwks-url',
      'https://a',
    );
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('issuer must be an https URL');
    const missing = await cli('activate', '--issuer', 'https://lms.example.edu');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('--client-id is required');
    const admin = await cli('admin-key', '--name', 'ops');
    expect(admin.code).toBe(0);
    expect(admin.out).toMatch(/ltk_[A-Za-z0-9_-]+_[A-Za-z0-9_-]+/);
    expect((await cli('list')).out).not.toContain('urn:course-companion');
    const usage = await cli('frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.out).toContain('usage: npm run lti:platform');
  }, 120_000);
});
