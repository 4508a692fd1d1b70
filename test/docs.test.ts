/**
 * The documentation is checked like code (issue 15): what LMS administrators and integrators act on must not rot.
 * - Every relative link in README.md and docs/*.md points to a file that exists, and to a heading that exists when
 *   it names one (`#anchor`, GitHub's slugs).
 * - Every environment variable api/src/config.ts reads is in the README's configuration table, and the table lists
 *   nothing the configuration does not read.
 * - Every error code the server can send (AppError and LtiError codes, the ErrorCode union, `code: '…'` in error
 *   bodies, and the codes the launch pages show) and every `extensions.reason` is in a table of docs/api.md, and
 *   every WebSocket close code of the transport is in its close-code table.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8');
const exists = (abs: string) => {
  try {
    statSync(abs);
    return true;
  } catch {
    return false;
  }
};

const PAGES = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown without fenced code blocks, HTML comments and inline code: links and headings live outside them. */
const prose = (md: string) =>
  md
    .replace(/^```[\s\S]*?^```/gm, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/`[^`\n]*`/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of md.replace(/^```[\s\S]*?^```/gm, '').split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]!
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The first cell of every table row of a Markdown text (header and separator rows included; harmless). */
const firstCells = (md: string) =>
  md
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split('|')[1] ?? '');

/** Backticked tokens of the first cells of every table in `md`. */
const tableNames = (md: string) => new Set(firstCells(md).flatMap((c) => [...c.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));

/** The `.ts` files under `dir` (relative to the root), tests left out. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]!);

describe('documentation', () => {
  it('has the pages the README links to', () => {
    expect(PAGES).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/api.md',
        'docs/architecture.md',
        'docs/integrators.md',
        'docs/operations.md',
        'docs/benchmarks.md',
        'docs/security.md',
      ]),
    );
  });

  it('every relative link in README.md and docs/ resolves to a file, and to a heading when it names one', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of PAGES) {
      const dir = path.dirname(path.join(root, page));
      for (const m of prose(read(page)).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        checked++;
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const abs = file ? path.resolve(dir, decodeURIComponent(file)) : path.join(root, page);
        if (!exists(abs)) {
          broken.push(`${page}: ${target} (no such file)`);
          continue;
        }
        if (anchor && abs.endsWith('.md') && !anchors(readFileSync(abs, 'utf8')).has(anchor))
          broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(broken, broken.join('\n')).toEqual([]);
  });

  it("every environment variable api/src/config.ts reads is in the README's configuration table, and only those", () => {
    const config = read('api/src/config.ts');
    const read_ = new Set([
      ...all(config, /\benv\.([A-Z][A-Z0-9_]*)\b/g),
      ...all(config, /\benv\[\s*'([A-Z][A-Z0-9_]*)'\s*\]/g),
      // int(env, 'PORT', …), bool(env, …), oneOf(env, …), rate(env, …), origins(env, …), secretOrUnset(env, …)
      ...all(config, /\(\s*env\s*,\s*'([A-Z][A-Z0-9_]*)'/g),
      // oneOf({ ROLE: roleArg ?? env.ROLE }, 'ROLE', …)
      ...all(config, /\(\s*\{\s*[A-Z][A-Z0-9_]*\s*:[^}]*\}\s*,\s*'([A-Z][A-Z0-9_]*)'/g),
    ]);
    // The scan itself must keep finding what the configuration reads.
    expect([...read_]).toEqual(
      expect.arrayContaining([
        'NODE_ENV',
        'ROLE',
        'PORT',
        'DATABASE_URL',
        'LTI_REGISTRATION_SECRET',
        'RATE_LIMIT_SUBSCRIBE',
        'METRICS_TOKEN',
      ]),
    );
    expect(read_.size).toBeGreaterThan(50);

    const readme = read('README.md');
    const start = readme.indexOf('\n## Configuration');
    expect(start, 'README.md has a "## Configuration" section').toBeGreaterThan(0);
    const end = readme.indexOf('\n## ', start + 1);
    const table = new Set(firstCells(readme.slice(start, end < 0 ? undefined : end)).flatMap((c) => all(c, /`([A-Z][A-Z0-9_]*)`/g)));
    const missing = [...read_].filter((v) => !table.has(v));
    const stale = [...table].filter((v) => !read_.has(v));
    expect(missing, `in api/src/config.ts but not in the README's configuration table: ${missing.join(', ')}`).toEqual([]);
    expect(stale, `in the README's configuration table but not read by api/src/config.ts: ${stale.join(', ')}`).toEqual([]);
  });

  it('every error code and reason the server can send is in a table of docs/api.md', () => {
    const files = [...sources('api/src'), ...sources('lti-tool/src'), ...sources('web/src/launch')];
    const codes = new Map<string, string>();
    const reasons = new Map<string, string>();
    const prefixes = new Map<string, string>();
    for (const file of files) {
      const text = read(file);
      const found = [
        ...all(text, /new (?:AppError|LtiError)\(\s*'([A-Z][A-Z0-9_]*)'/g),
        ...all(text, /\bcode:\s*'([A-Z][A-Z0-9_]*)'/g),
        ...all(text, /\.code\s*=\s*'([A-Z][A-Z0-9_]*)'/g),
        ...all(text, /\bcode\s*\?\?\s*'([A-Z][A-Z0-9_]*)'/g),
        ...all(text, /lti-error-code">([A-Z][A-Z0-9_]*)</g),
      ];
      // The ErrorCode union of errors.ts: codes passed around as values (the GraphQL validation rules' rejections).
      const union = /export type ErrorCode =([^;]*);/.exec(text);
      if (union) found.push(...all(union[1]!, /'([A-Z][A-Z0-9_]*)'/g));
      for (const c of found) codes.set(c, file);
      // `extensions.reason` of the server's errors (the web app's own `reason`s are internal to it).
      if (!file.startsWith('web/')) for (const r of all(text, /\breason:\s*'([A-Za-z][A-Za-z0-9_]*)'/g)) reasons.set(r, file);
      // A code built from a value (`HTTP_${status}`): documented as HTTP_<status>.
      for (const p of all(text, /\bcode:\s*`([A-Z][A-Z0-9_]*)\$\{/g)) prefixes.set(p, file);
    }
    // Never sent: the outbound fetch guard's marker, turned into PLATFORM_ADDRESS_NOT_ALLOWED before anyone sees it.
    const internal = ['ERR_PRIVATE_ADDRESS'];
    for (const c of internal) expect(codes.has(c), `${c} is no longer in the code: drop it from this list`).toBe(true);
    for (const c of internal) codes.delete(c);
    // The scan itself must keep finding the kinds of codes there are.
    expect([...codes.keys()]).toEqual(
      expect.arrayContaining([
        'UNAUTHENTICATED',
        'QUERY_TOO_DEEP',
        'GRAPHQL_PARSE_FAILED',
        'ORIGIN_NOT_ALLOWED',
        'BROWSER_MISMATCH',
        'LTI_ERROR',
        'LOGIN_PAGE_INVALID',
        'LAUNCH_TIMEOUT',
      ]),
    );
    expect([...reasons.keys()]).toEqual(expect.arrayContaining(['GUEST', 'expired']));

    const api = read('docs/api.md');
    const documented = tableNames(api);
    const missing = [
      ...[...codes].filter(([c]) => !documented.has(c)).map(([c, f]) => `${c} (${f})`),
      ...[...reasons].filter(([r]) => !documented.has(r)).map(([r, f]) => `reason ${r} (${f})`),
      ...[...prefixes].filter(([p]) => ![...documented].some((d) => d.startsWith(`${p}<`))).map(([p, f]) => `${p}<…> (${f})`),
    ];
    expect(missing, `not in an error table of docs/api.md:\n${missing.join('\n')}`).toEqual([]);
  });

  it("every WebSocket close code of the transport is in docs/api.md's close-code table", () => {
    const ws = read('api/src/http/ws.ts');
    const closes = new Set([...all(/WS_CLOSE = \{([^}]*)\}/.exec(ws)?.[1] ?? '', /:\s*(\d{4})/g), ...all(ws, /\.close\((\d{4})\b/g)]);
    expect([...closes]).toEqual(expect.arrayContaining(['4401', '4429', '1012']));
    const api = read('docs/api.md');
    const section = api.slice(api.indexOf('### WebSocket close codes'));
    const listed = new Set(firstCells(section.slice(0, section.indexOf('\n#', 1))).flatMap((c) => all(c, /\b(\d{4})\b/g)));
    const missing = [...closes].filter((c) => !listed.has(c));
    expect(missing, `close codes not in docs/api.md: ${missing.join(', ')}`).toEqual([]);
  });
});
