/**
 * Benchmark runner: `npm run bench -- <name> [args]` runs `bench/<name>.ts`, whose `main(args)` does the work
 * and throws on failure. Without a name, or with an unknown one, it lists the benchmarks there are.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));

/** Every bench/<name>.ts but the runner (helpers live in sub-folders). */
function available(): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && e.name !== 'run.ts')
    .map((e) => e.name.slice(0, -3))
    .sort();
}

function usage(): string {
  const names = available();
  return ['usage: npm run bench -- <name> [args]', '', 'benchmarks:', ...(names.length ? names.map((n) => `  ${n}`) : ['  (none)'])].join(
    '\n',
  );
}

async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.error(usage());
    return 2;
  }
  if (!available().includes(name)) {
    console.error(`unknown benchmark "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as { main?: (args: string[]) => Promise<void> };
  if (typeof mod.main !== 'function') {
    console.error(`bench/${name}.ts exports no main(args)`);
    return 2;
  }
  try {
    await mod.main(args);
    return 0;
  } catch (err) {
    console.error(`bench ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}

// Exits explicitly: a benchmark that failed half-way may leave sockets or timers behind.
process.exit(await run(process.argv.slice(2)));
