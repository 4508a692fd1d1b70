/** Serves the built web app: hashed assets cached for good, every other path gets index.html (SPA routes). */
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export function staticHandler(root: string) {
  const base = path.resolve(root);
  const index = path.join(base, 'index.html');
  return (req: IncomingMessage, res: ServerResponse, pathname: string): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let file: string;
    try {
      file = path.resolve(base, '.' + decodeURIComponent(pathname));
    } catch {
      return false;
    }
    if (!file.startsWith(base + path.sep) && file !== base) return false;
    let target = file;
    if (!existsSync(target) || !statSync(target).isFile()) {
      // Unknown files under /assets are real 404s; anything else is a client-side route.
      if (pathname.startsWith('/assets/') || path.extname(pathname) !== '') return false;
      target = index;
      if (!existsSync(target)) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The web app is not built yet: run "npm run build:web" (npm start does it for you).\n');
        return true;
      }
    }
    const immutable = pathname.startsWith('/assets/');
    res.writeHead(200, {
      'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(target).pipe(res);
    return true;
  };
}
