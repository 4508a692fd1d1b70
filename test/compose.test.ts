/**
 * docker-compose.yml, as the compose CLI itself reads it (interpolated and normalised by `config`): the
 * services, their roles, start-up order and health checks. Runs `docker compose` (v2) when its plugin works,
 * otherwise `docker-compose` (v2 standalone, or 1.29 from Debian). No engine is needed. When no compose CLI is
 * installed the tests fail: CI installs docker-compose (.ci/run), so a silent skip would hide a broken file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const composeFile = path.join(root, 'docker-compose.yml');
const secret = 'compose-test-secret-0123456789-abcdefghij';

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };
type Obj = Record<string, Yaml>;

interface Cli {
  name: string;
  argv: string[];
  json: boolean;
}

function run(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const [cmd, ...args] = argv as [string, ...string[]];
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { ok: !r.error && r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** The first compose CLI that works, and whether its `config` prints JSON. */
function findCli(): Cli {
  if (run(['docker', 'compose', 'version']).ok) return { name: 'docker compose', argv: ['docker', 'compose'], json: true };
  const v1 = run(['docker-compose', 'version', '--short']);
  if (v1.ok) {
    const major = Number(/^v?(\d+)\./.exec(v1.stdout.trim())?.[1] ?? 0);
    return { name: `docker-compose ${v1.stdout.trim()}`, argv: ['docker-compose'], json: major >= 2 };
  }
  throw new Error(
    'No compose CLI found: neither `docker compose` (the v2 plugin) nor `docker-compose` works. ' +
      'Install one (Debian: apt-get install -y docker-compose; .ci/run does this) to check docker-compose.yml.',
  );
}

// ---- a parser for the YAML subset `docker-compose config` (PyYAML safe_dump, block style) prints ----------
// Block mappings, block sequences, plain and quoted scalars, `{}` and `[]`. Anything else throws, so a change
// in the output makes the test fail loudly rather than pass on a misread.

interface Line {
  indent: number;
  text: string;
  no: number;
}

function scalar(raw: string, no: number): Yaml {
  const s = raw.trim();
  if (s === '{}') return {};
  if (s === '[]') return [];
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new Error(`line ${no}: unterminated quoted scalar ${s}`);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s.startsWith('"')) return JSON.parse(s) as string;
  if (/^[[{|>&*!]/.test(s)) throw new Error(`line ${no}: unsupported YAML ${s}`);
  if (s === 'null' || s === '~' || s === '') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  return s;
}

/** `key: rest` with a plain or quoted key; undefined when the text is not a mapping entry. */
function entry(text: string): [string, string] | undefined {
  const m = /^('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^'"\s#][^:#]*?):(?:\s+(.*))?$/.exec(text);
  if (!m) return undefined;
  const key = m[1]!;
  return [key.startsWith("'") || key.startsWith('"') ? (scalar(key, 0) as string) : key, m[2] ?? ''];
}

function parseYaml(src: string): Yaml {
  const lines: Line[] = [];
  src.split('\n').forEach((l, i) => {
    if (l.trim() === '' || l.trim().startsWith('#')) return;
    lines.push({ indent: l.length - l.trimStart().length, text: l.trim(), no: i + 1 });
  });
  let pos = 0;

  function block(indent: number): Yaml {
    const first = lines[pos];
    if (!first || first.indent < indent) return null;
    return first.text === '-' || first.text.startsWith('- ') ? seq(first.indent) : map(first.indent);
  }

  function value(rest: string, childIndent: number, no: number): Yaml {
    if (rest !== '') return scalar(rest, no);
    const next = lines[pos];
    if (!next) return null;
    // PyYAML writes a mapping's sequence value at the key's own indentation.
    if (next.indent > childIndent || (next.indent === childIndent && next.text.startsWith('- '))) return block(next.indent);
    return null;
  }

  function map(indent: number): Obj {
    const out: Obj = {};
    while (pos < lines.length && lines[pos]!.indent === indent && !lines[pos]!.text.startsWith('- ')) {
      const line = lines[pos]!;
      const kv = entry(line.text);
      if (!kv) throw new Error(`line ${line.no}: expected "key: value", got ${line.text}`);
      pos++;
      out[kv[0]] = value(kv[1], indent, line.no);
    }
    if (pos < lines.length && lines[pos]!.indent > indent) throw new Error(`line ${lines[pos]!.no}: unexpected indentation`);
    return out;
  }

  function seq(indent: number): Yaml[] {
    const out: Yaml[] = [];
    while (pos < lines.length && lines[pos]!.indent === indent && lines[pos]!.text.startsWith('- ')) {
      const line = lines[pos]!;
      const item = line.text.slice(2);
      const kv = entry(item);
      if (kv && !item.startsWith("'") && !item.startsWith('"')) {
        // A mapping inside a sequence item: its first entry shares the dash's line, the rest sit two deeper.
        line.indent = indent + 2;
        line.text = item;
        out.push(map(indent + 2));
      } else {
        pos++;
        out.push(scalar(item, line.no));
      }
    }
    return out;
  }

  const doc = block(0);
  if (pos !== lines.length) throw new Error(`line ${lines[pos]!.no}: could not parse ${lines[pos]!.text}`);
  return doc;
}

// ---- helpers ------------------------------------------------------------------------------------------------

/** The environment of a service as a map, whichever form (map or KEY=value list) the CLI printed. */
function environment(service: Obj): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((e) => {
        const s = String(e);
        const i = s.indexOf('=');
        return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries((env ?? {}) as Obj).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** depends_on as service -> condition (a plain list means "started"). */
function dependsOn(service: Obj): Record<string, string> {
  const d = service.depends_on;
  if (Array.isArray(d)) return Object.fromEntries(d.map((s) => [String(s), 'service_started']));
  return Object.fromEntries(
    Object.entries((d ?? {}) as Obj).map(([k, v]) => [k, String((v as Obj | null)?.condition ?? 'service_started')]),
  );
}

function healthTest(service: Obj): string[] {
  const hc = service.healthcheck as Obj | undefined;
  if (!hc || hc.disable === true) return [];
  const t = hc.test;
  return Array.isArray(t) ? t.map(String) : typeof t === 'string' ? ['CMD-SHELL', t] : [];
}

/** Published -> target port pairs, from either the long (object) or short ("3000:3000") form. */
function ports(service: Obj): string[] {
  return ((service.ports ?? []) as Yaml[]).map((p) => {
    if (p !== null && typeof p === 'object' && !Array.isArray(p)) return `${String(p.published)}:${String(p.target)}`;
    return String(p).replace(/^.*?(\d+:\d+)(\/tcp)?$/, '$1');
  });
}

// ---- the tests ----------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  let cli: Cli;
  let loaded: { services: Record<string, Obj>; volumes: Obj } | undefined;
  let setupError: unknown;
  let emptyEnvDir: string | undefined;
  let baseEnv: NodeJS.ProcessEnv;

  /** Each test fails on its own (not skipped) with the set-up error, e.g. no compose CLI installed. */
  const doc = () => {
    if (!loaded) throw setupError;
    return loaded;
  };

  const config = (env: NodeJS.ProcessEnv, extra: string[] = []) =>
    run([...cli.argv, '--env-file', path.join(emptyEnvDir!, 'empty.env'), '-f', composeFile, 'config', ...extra], env);

  beforeAll(() => {
    try {
      load();
    } catch (err) {
      setupError = err;
    }
  });

  function load() {
    cli = findCli();
    // An empty env file and no inherited overrides: the file's own defaults are what is checked, whatever the
    // developer has in a .env file or in the shell.
    emptyEnvDir = mkdtempSync(path.join(tmpdir(), 'compose-test-'));
    writeFileSync(path.join(emptyEnvDir, 'empty.env'), '');
    baseEnv = { ...process.env };
    for (const k of [
      'SESSION_SECRET',
      'LTI_ENCRYPTION_KEY',
      'LTI_AUTO_ACTIVATE',
      'POSTGRES_USER',
      'POSTGRES_PASSWORD',
      'POSTGRES_DB',
      'PUBLIC_URL',
      'LOG_LEVEL',
      'COMPOSE_FILE',
      'COMPOSE_PROJECT_NAME',
      'COMPOSE_PROFILES',
    ])
      delete baseEnv[k];

    const r = config({ ...baseEnv, SESSION_SECRET: secret, LTI_ENCRYPTION_KEY: secret }, cli.json ? ['--format', 'json'] : []);
    if (!r.ok) throw new Error(`${cli.name} config failed:\n${r.stderr || String(r.error)}`);
    const parsed = (cli.json ? JSON.parse(r.stdout) : parseYaml(r.stdout)) as Obj;
    loaded = { services: parsed.services as Record<string, Obj>, volumes: (parsed.volumes ?? {}) as Obj };
  }

  afterAll(() => {
    if (emptyEnvDir) rmSync(emptyEnvDir, { recursive: true, force: true });
  });

  it('has the four services, and the same list from --services', () => {
    const { services } = doc();
    expect(Object.keys(services).sort()).toEqual(['app', 'postgres', 'redis', 'worker']);
    const listed = config({ ...baseEnv, SESSION_SECRET: secret, LTI_ENCRYPTION_KEY: secret }, ['--services']);
    expect(listed.ok, listed.stderr).toBe(true);
    expect(listed.stdout.trim().split('\n').sort()).toEqual(['app', 'postgres', 'redis', 'worker']);
  });

  it('runs PostgreSQL 16 and Redis 7 on named volumes', () => {
    const { services, volumes } = doc();
    expect(services.postgres!.image).toBe('postgres:16');
    expect(services.redis!.image).toBe('redis:7');
    const mounts = (s: Obj) =>
      ((s.volumes ?? []) as Yaml[]).map((v) =>
        typeof v === 'string' ? v.split(':').slice(0, 2).join(':') : `${String((v as Obj).source)}:${String((v as Obj).target)}`,
      );
    expect(mounts(services.postgres!)).toContain('postgres-data:/var/lib/postgresql/data');
    expect(mounts(services.redis!)).toContain('redis-data:/data');
    expect(Object.keys(volumes)).toEqual(expect.arrayContaining(['postgres-data', 'redis-data']));
  });

  it('runs the api and the worker roles from one image built here', () => {
    const { services } = doc();
    expect(environment(services.app!).ROLE).toBe('api');
    expect(environment(services.worker!).ROLE).toBe('worker');
    for (const name of ['app', 'worker']) {
      const s = services[name]!;
      expect(s.build, `${name} builds the Dockerfile`).toBeTruthy();
      const context = typeof s.build === 'string' ? s.build : String((s.build as Obj).context);
      expect(path.resolve(root, context)).toBe(root);
      expect(environment(s).NODE_ENV).toBe('production');
    }
    expect(services.app!.image).toBe(services.worker!.image);
  });

  it('points the app and the worker at the postgres and redis services', () => {
    const { services } = doc();
    for (const name of ['app', 'worker']) {
      const env = environment(services[name]!);
      const db = new URL(env.DATABASE_URL!);
      expect(db.protocol, `${name} DATABASE_URL`).toMatch(/^postgres(ql)?:$/);
      expect(db.hostname, `${name} DATABASE_URL`).toBe('postgres');
      expect(db.port || '5432').toBe('5432');
      // The credentials and database in the URL are the ones the postgres container is created with.
      const pg = environment(services.postgres!);
      expect(decodeURIComponent(db.username)).toBe(pg.POSTGRES_USER);
      expect(decodeURIComponent(db.password)).toBe(pg.POSTGRES_PASSWORD);
      expect(db.pathname.slice(1)).toBe(pg.POSTGRES_DB);
      const redis = new URL(env.REDIS_URL!);
      expect(redis.protocol).toBe('redis:');
      expect(redis.hostname, `${name} REDIS_URL`).toBe('redis');
      expect(env.SESSION_SECRET).toBe(secret);
      expect(env.LTI_ENCRYPTION_KEY).toBe(secret);
      // Dynamically registered platforms wait for an administrator in production.
      expect(env.LTI_AUTO_ACTIVATE).toBe('false');
      expect(env.DEV_LMS).toBeUndefined();
      expect(() => new URL(env.PUBLIC_URL!)).not.toThrow();
    }
  });

  it('starts the app and the worker only once postgres and redis are healthy', () => {
    const { services } = doc();
    for (const name of ['app', 'worker']) {
      expect(dependsOn(services[name]!), name).toEqual({ postgres: 'service_healthy', redis: 'service_healthy' });
    }
  });

  it('gives every service a health check, the app one on /readyz', () => {
    const { services } = doc();
    for (const [name, s] of Object.entries(services)) {
      const t = healthTest(s);
      expect(t.length, `${name} has a health check`).toBeGreaterThan(1);
      expect(['CMD', 'CMD-SHELL'], `${name} health check form`).toContain(t[0]);
    }
    expect(healthTest(services.postgres!).join(' ')).toContain('pg_isready');
    expect(healthTest(services.redis!).slice(1)).toEqual(['redis-cli', 'ping']);
    // No curl in the slim image: the app's check is node, against readiness (database and Redis), not liveness.
    const app = healthTest(services.app!);
    expect(app[1]).toBe('node');
    expect(app.join(' ')).toContain('/readyz');
    // The worker listens on no port, so it must not inherit the image's HTTP check.
    expect(healthTest(services.worker!).join(' ')).not.toMatch(/healthz|readyz|:3000/);
  });

  it('publishes port 3000 for the app only', () => {
    const { services } = doc();
    expect(ports(services.app!)).toEqual(['3000:3000']);
    expect(ports(services.worker!)).toEqual([]);
    expect(ports(services.postgres!)).toEqual([]);
    expect(ports(services.redis!)).toEqual([]);
  });

  it('refuses to produce a configuration without SESSION_SECRET', () => {
    doc();
    const r = config({ ...baseEnv, LTI_ENCRYPTION_KEY: secret }, ['--quiet']);
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/SESSION_SECRET/);
    const r2 = config({ ...baseEnv, SESSION_SECRET: secret }, ['--quiet']);
    expect(r2.ok).toBe(false);
    expect(r2.stderr).toMatch(/LTI_ENCRYPTION_KEY/);
  });
});

describe('the YAML subset parser', () => {
  it('reads what PyYAML safe_dump prints', () => {
    const src = [
      'services:',
      '  a:',
      '    command:',
      '    - redis-server',
      '    - "yes"',
      "    - 'it''s'",
      '    ports:',
      '    - published: 3000',
      '      target: 3000',
      '    environment:',
      '      URL: postgres://u:p@h:5432/d',
      '      EMPTY: null',
      "version: '3.9'",
      'volumes:',
      '  v: {}',
    ].join('\n');
    expect(parseYaml(src)).toEqual({
      services: {
        a: {
          command: ['redis-server', 'yes', "it's"],
          ports: [{ published: 3000, target: 3000 }],
          environment: { URL: 'postgres://u:p@h:5432/d', EMPTY: null },
        },
      },
      version: '3.9',
      volumes: { v: {} },
    });
  });
  it('throws on what it does not understand', () => {
    expect(() => parseYaml('a:\n  b: |\n    text')).toThrow(/unsupported/);
    expect(() => parseYaml('a: 1\n    b: 2')).toThrow();
  });
});
