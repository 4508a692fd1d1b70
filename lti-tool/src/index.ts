/**
 * The LTI 1.3 protocol adapter. It knows nothing of rooms or tutors: the api mounts its HTTP handler under
 * /lti and hands it callbacks. The endpoints (login, launch, keys, register, canvas.json) arrive with the LTI
 * issue; until then every /lti path answers 404 with a clear code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type LtiHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

export function createLtiHandler(): LtiHandler {
  return async (_req, res, pathname) => {
    if (!pathname.startsWith('/lti/') && pathname !== '/lti') return false;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'LTI_NOT_CONFIGURED', message: 'LTI endpoints are not available in this build yet.' } }));
    return true;
  };
}

export { PgLtiStore, LTI_COLLECTIONS, type LtiCollection, type LtiDoc } from './store/pg-store.js';
