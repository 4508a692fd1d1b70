/**
 * The production build of the server: one ES module, dist/start.mjs, bundled by esbuild from bin/start.ts with
 * our workspace packages (@lt/*) inlined and every other package left to node_modules. `npm start` and the
 * Docker image run it with plain `node`.
 *
 * Why not run the TypeScript with tsx in production: tsx compiles with esbuild's keepNames, which wraps every
 * function expression in a `__name(fn, "…")` call that redefines the function's `name`. Each closure then carries
 * its own property store (256 bytes) and its creation costs a defineProperty: in the fan-out bench, a dozen
 * closures per WebSocket subscriber, about 3 KB of a subscriber's 18 KB. Built without keepNames, a closure
 * costs what V8 makes it cost.
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Threads the server starts from a file of their own (worker_threads), bundled next to it under these names. */
const THREADS = { 'tokenizer-worker': 'api/src/tutor/tokenizer-worker.ts' };

/** Bundles one server entry (TypeScript) into an ES module, with its threads beside it; returns their size in bytes. */
export async function buildServer(entry: string, outfile: string): Promise<number> {
  const out = path.resolve(ROOT, outfile);
  const ext = path.extname(out);
  const result = await build({
    entryPoints: [
      { in: path.resolve(ROOT, entry), out: path.basename(out, ext) },
      ...Object.entries(THREADS).map(([name, file]) => ({ in: path.resolve(ROOT, file), out: name })),
    ],
    outdir: path.dirname(out),
    outExtension: { '.js': ext },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: true,
    keepNames: false,
    logLevel: 'warning',
    plugins: [
      {
        name: 'packages-stay-in-node-modules',
        setup(b) {
          // Bare imports are packages, left to node_modules; but our own workspaces, which are TypeScript.
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@lt/') || args.path.startsWith('node:') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
    metafile: true,
  });
  return Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const bytes = await buildServer('bin/start.ts', 'dist/start.mjs');
  console.log(`dist/start.mjs: ${Math.round(bytes / 1024)} KB with its source map, in ${Date.now() - started} ms`);
}
