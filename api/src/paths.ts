/**
 * Files the server reads at run time (migrations, the built web app), found from the repository's root: the
 * folder holding package-lock.json above this module. The same in the sources (api/src) and in the production
 * bundle (dist/start.mjs), which sit at different depths.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ;) {
    if (existsSync(path.join(dir, 'package-lock.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package-lock.json above ${from}: cannot find the application's files`);
    dir = up;
  }
}

export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const webDist = path.join(ROOT, 'web', 'dist');
export const migrationsFolder = path.join(ROOT, 'api', 'drizzle');
