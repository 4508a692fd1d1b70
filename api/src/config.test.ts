/** loadConfig: defaults, precedence, validation errors that name the variable, the development secret. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'lt-config-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SECRET = 'x'.repeat(32);

/** Runs loadConfig and returns the ConfigError it throws (fails when it does not throw one). */
function configError(env: Record<string, string | undefined>, argv: string[] = []): ConfigError {
  try {
    loadConfig(env, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)} ${argv.join(' ')}`);
}

describe('loadConfig', () => {
  it('has working defaults', () => {
    const dataDir = tmp();
    const c = loadConfig({ DATA_DIR: dataDir }, []);
    expect(c.port).toBe(3000);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.role).toBe('all');
    expect(c.env).toBe('development');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve(dataDir));
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.redisAutostart).toBe(true);
    expect(c.logLevel).toBe('info');
  });

  it('reads the environment', () => {
    const c = loadConfig(
      {
        DATA_DIR: tmp(),
        PORT: '8080',
        ROLE: 'api',
        REDIS_URL: 'rediss://cache:6380',
        DATABASE_URL: 'postgresql://u@db/x',
        SESSION_SECRET: SECRET,
        LTI_ENCRYPTION_KEY: SECRET,
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://tool.example.edu/',
      },
      [],
    );
    expect(c).toMatchObject({
      port: 8080,
      role: 'api',
      redisUrl: 'rediss://cache:6380',
      databaseUrl: 'postgresql://u@db/x',
      sessionSecret: SECRET,
      env: 'production',
      publicUrl: 'https://tool.example.edu',
      redisAutostart: false,
      devLms: false,
      ltiAutoActivate: false,
    });
  });

  it('--role= on the command line wins over ROLE', () => {
    expect(loadConfig({ DATA_DIR: tmp(), ROLE: 'api', SESSION_SECRET: SECRET }, ['--role=worker']).role).toBe('worker');
    expect(loadConfig({ DATA_DIR: tmp(), SESSION_SECRET: SECRET }, ['--role=api']).role).toBe('api');
    expect(configError({ DATA_DIR: tmp(), ROLE: 'api', SESSION_SECRET: SECRET }, ['--role=boss']).message).toContain('ROLE');
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '1.5' }],
    ['ROLE', { ROLE: 'x' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/db' }],
    ['SESSION_SECRET', { SESSION_SECRET: 'too-short' }],
    ['REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }],
    ['REDIS_AUTOSTART', { REDIS_AUTOSTART: 'maybe' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['DB_POOL_MAX', { DB_POOL_MAX: '0' }],
  ])('rejects a bad %s with a ConfigError that names it (%o)', (name, bad) => {
    const err = configError({ DATA_DIR: tmp(), SESSION_SECRET: SECRET, ...bad });
    expect(err.message).toContain(name);
  });

  it('production requires LTI_ENCRYPTION_KEY and refuses the development LMS', () => {
    const prod = { NODE_ENV: 'production', DATA_DIR: tmp(), SESSION_SECRET: SECRET };
    expect(configError(prod).message).toContain('LTI_ENCRYPTION_KEY');
    expect(configError({ ...prod, LTI_ENCRYPTION_KEY: 'short' }).message).toContain('LTI_ENCRYPTION_KEY');
    const err = configError({ ...prod, LTI_ENCRYPTION_KEY: SECRET, DEV_LMS: 'true' });
    expect(err.message).toContain('DEV_LMS cannot be enabled in production');
    expect(loadConfig({ DATA_DIR: tmp() }, []).devLms).toBe(true);
  });

  it('production without SESSION_SECRET throws and writes nothing', () => {
    const dataDir = tmp();
    const err = configError({ NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(err.message).toContain('SESSION_SECRET');
    expect(existsSync(path.join(dataDir, 'session-secret'))).toBe(false);
  });

  it('development generates a secret once, keeps it in DATA_DIR, and loads the same one again', () => {
    const dataDir = path.join(tmp(), 'not', 'yet', 'there');
    const a = loadConfig({ DATA_DIR: dataDir }, []);
    expect(a.sessionSecret.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, 'session-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(a.sessionSecret);
    expect(statSync(file).mode & 0o077).toBe(0);
    const b = loadConfig({ DATA_DIR: dataDir }, []);
    expect(b.sessionSecret).toBe(a.sessionSecret);
    // Another data directory gets another secret.
    expect(loadConfig({ DATA_DIR: tmp() }, []).sessionSecret).not.toBe(a.sessionSecret);
    // An explicit SESSION_SECRET wins over the stored one.
    expect(loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET }, []).sessionSecret).toBe(SECRET);
  });

  it('bounds LTI dynamic registration: closed-by-default gate and no private networks in production, validated secret and issuers', () => {
    const dev = loadConfig({ DATA_DIR: tmp() }, []);
    expect(dev.ltiRegistration).toEqual({
      secret: null,
      issuers: [],
      requireGate: false,
      rateLimit: 10,
      rateWindowSeconds: 3600,
      maxPending: 20,
    });
    expect(dev.ltiAllowPrivateNetwork).toBe(true);
    const prod = loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp(), SESSION_SECRET: SECRET, LTI_ENCRYPTION_KEY: SECRET }, []);
    expect(prod.ltiRegistration.requireGate).toBe(true);
    expect(prod.ltiAllowPrivateNetwork).toBe(false);
    const set = loadConfig(
      {
        DATA_DIR: tmp(),
        LTI_REGISTRATION_SECRET: 'a'.repeat(24),
        LTI_REGISTRATION_ISSUERS: ' https://moodle.school.edu/ , https://canvas.instructure.com',
        LTI_REGISTRATION_RATE_LIMIT: '3',
        LTI_MAX_PENDING_REGISTRATIONS: '5',
        LTI_ALLOW_PRIVATE_NETWORK: 'false',
      },
      [],
    );
    expect(set.ltiRegistration).toMatchObject({
      secret: 'a'.repeat(24),
      issuers: ['https://moodle.school.edu', 'https://canvas.instructure.com'],
      rateLimit: 3,
      maxPending: 5,
    });
    expect(set.ltiAllowPrivateNetwork).toBe(false);
    expect(configError({ DATA_DIR: tmp(), LTI_REGISTRATION_SECRET: 'short' }).message).toContain('LTI_REGISTRATION_SECRET');
    expect(configError({ DATA_DIR: tmp(), LTI_REGISTRATION_SECRET: 'a'.repeat(23) + '&' }).message).toContain('LTI_REGISTRATION_SECRET');
    expect(configError({ DATA_DIR: tmp(), LTI_REGISTRATION_ISSUERS: 'moodle.school.edu' }).message).toContain('LTI_REGISTRATION_ISSUERS');
    expect(configError({ DATA_DIR: tmp(), LTI_REGISTRATION_ISSUERS: 'https://lms.example/?x=1' }).message).toContain(
      'LTI_REGISTRATION_ISSUERS',
    );
    expect(configError({ DATA_DIR: tmp(), LTI_MAX_PENDING_REGISTRATIONS: '0' }).message).toContain('LTI_MAX_PENDING_REGISTRATIONS');
  });
});

describe('connection caps and rate limits', () => {
  it('have defaults, read LIMIT/SECONDS, and name the variable when it is wrong', () => {
    const c = loadConfig({ DATA_DIR: tmp(), SESSION_SECRET: SECRET });
    expect(c.wsMaxSubscriptionsPerSocket).toBe(100);
    expect(c.wsMaxIdenticalSubscriptions).toBe(4);
    expect(c.wsMaxSocketsPerUser).toBe(20);
    expect(c.rateLimits.write).toEqual({ limit: 30, windowMs: 10_000 });
    expect(c.queuePrefix).toBe('');
    expect(loadConfig({ DATA_DIR: tmp(), SESSION_SECRET: SECRET, RATE_LIMIT_SIGNAL: '5/2', QUEUE_PREFIX: 'mine' })).toMatchObject({
      rateLimits: { signal: { limit: 5, windowMs: 2000 } },
      queuePrefix: 'mine',
    });
    for (const bad of ['30', '0/10', '10/0', 'ten/10', '10/100000'])
      expect(configError({ DATA_DIR: tmp(), SESSION_SECRET: SECRET, RATE_LIMIT_WRITE: bad }).message).toMatch(
        /^RATE_LIMIT_WRITE must be LIMIT\/SECONDS/,
      );
    expect(configError({ DATA_DIR: tmp(), SESSION_SECRET: SECRET, WS_MAX_SOCKETS_PER_USER: '0' }).message).toMatch(
      /^WS_MAX_SOCKETS_PER_USER/,
    );
  });
});
