/**
 * Preloaded into every server of the fanout bench (`node --expose-gc --import tsx --import ./bench/fanout/gc-on-signal.ts …`),
 * ours included, without changing it: on SIGUSR2 it runs a full garbage collection and writes the process's
 * memory figures to $FANOUT_MEMORY_FILE. The bench measures resident memory after a collection, so that memory
 * per idle subscriber compares live memory, not whatever garbage each server happened to carry.
 * With FANOUT_HEAP_DIR set, it also writes a heap snapshot there each time (1 before connections, 2 idle
 * connected): compare them to see what one subscriber costs, by constructor.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

const file = process.env.FANOUT_MEMORY_FILE;
const gc = (globalThis as { gc?: () => void }).gc;

let snapshots = 0;
process.on('SIGUSR2', () => {
  gc?.();
  const dir = process.env.FANOUT_HEAP_DIR;
  if (dir) v8.writeHeapSnapshot(path.join(dir, `${path.basename(process.argv[1] ?? 'server')}-${++snapshots}.heapsnapshot`));
  if (file) writeFileSync(file, JSON.stringify({ at: Date.now(), collected: !!gc, ...process.memoryUsage() }));
});
