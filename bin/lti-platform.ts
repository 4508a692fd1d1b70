/**
 * Manual platform registration, for any LTI 1.3 platform (and for Moodle or Canvas without dynamic
 * registration). `npm run lti:platform -- <command> [--flag value ...]`:
 *
 *   add        --issuer URL --client-id ID --auth-endpoint URL --token-endpoint URL --jwks-url URL
 *              [--deployment ID]... [--name TEXT] [--product moodle|canvas|generic] [--pending]
 *   list
 *   activate | deactivate | remove | rotate-key   --issuer URL --client-id ID
 *   admin-key  [--name TEXT]   an installation administrator's API key (GraphQL `platforms`, `registerPlatform`)
 *
 * Prints the values the platform's administrator needs (login URL, redirect URL, JWKS URL) after `add`.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, openCore } from '@lt/api';
import { LtiError } from '@lt/lti-tool';

const USAGE = `usage: npm run lti:platform -- add --issuer URL --client-id ID --auth-endpoint URL --token-endpoint URL --jwks-url URL [--deployment ID]... [--name TEXT] [--product moodle|canvas|generic] [--pending]
       npm run lti:platform -- list
       npm run lti:platform -- activate|deactivate|remove|rotate-key --issuer URL --client-id ID
       npm run lti:platform -- admin-key [--name TEXT]`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'auth-endpoint': { type: 'string' },
      'token-endpoint': { type: 'string' },
      'jwks-url': { type: 'string' },
      deployment: { type: 'string', multiple: true },
      name: { type: 'string' },
      product: { type: 'string' },
      pending: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (!command || !['add', 'list', 'activate', 'deactivate', 'remove', 'rotate-key', 'admin-key'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const need = (k: keyof typeof values): string => {
    const v = values[k];
    if (typeof v !== 'string' || !v) throw new LtiError('MISSING_ARGUMENT', 400, `--${k} is required`);
    return v;
  };
  // This command changes registrations only: no development LMS, no worker.
  const config = loadConfig({ ...process.env, DEV_LMS: 'false' }, []);
  const core = await openCore(config);
  const lti = core.services.lti;
  try {
    if (command === 'list') {
      const { tenants } = await import('@lt/api/tenants/tables');
      const { INSTALLATION_ISSUER } = await import('@lt/api/apikeys/service');
      const rows = (await core.services.database.db.select().from(tenants)).filter((t) => t.issuer !== INSTALLATION_ISSUER);
      if (rows.length === 0) console.log('No platforms registered.');
      for (const t of rows) console.log(`${t.status.padEnd(8)} ${t.platform.padEnd(8)} ${t.issuer}  client_id=${t.clientId}  ${t.name}`);
      return 0;
    }
    if (command === 'admin-key') {
      const { secret } = await core.services.apiKeys.createInstallationAdminKey(values.name ?? 'admin');
      console.log(
        `Installation administrator key (shown once; store it safely):\n  ${secret}\nUse it as "Authorization: Bearer <key>" for the GraphQL platforms query and the registerPlatform and setPlatformStatus mutations.`,
      );
      return 0;
    }
    const issuer = need('issuer');
    const clientId = need('client-id');
    if (command === 'add') {
      const product = (values.product ?? 'generic') as 'moodle' | 'canvas' | 'generic';
      if (!['moodle', 'canvas', 'generic'].includes(product))
        throw new LtiError('BAD_PRODUCT', 400, '--product must be moodle, canvas or generic');
      const deployments = values.deployment ?? [];
      await lti.tool.registerPlatform({
        issuer,
        clientId,
        name: values.name ?? (URL.canParse(issuer) ? new URL(issuer).host : issuer),
        product,
        authEndpoint: need('auth-endpoint'),
        tokenEndpoint: need('token-endpoint'),
        jwksUrl: need('jwks-url'),
        deploymentIds: deployments,
        status: values.pending ? 'pending' : 'active',
        // Without a deployment id, the first launches tell us (as Canvas does): accept and record them.
        acceptNewDeployments: deployments.length === 0,
      });
      console.log(`Registered ${issuer} (client_id ${clientId}), ${values.pending ? 'pending activation' : 'active'}.
Give the platform these values:
  Login (OIDC initiation) URL: ${lti.tool.loginUrl}
  Redirect / launch URL:       ${lti.tool.redirectUri}
  Public keyset (JWKS) URL:    ${lti.tool.jwksUrl}
  Deep linking URL:            ${lti.tool.redirectUri}`);
    } else if (command === 'activate' || command === 'deactivate') {
      await lti.setPlatformStatus(issuer, clientId, command === 'activate' ? 'active' : 'disabled');
      console.log(`${issuer} (client_id ${clientId}) is now ${command === 'activate' ? 'active' : 'disabled'}.`);
    } else if (command === 'remove') {
      await lti.setPlatformStatus(issuer, clientId, 'disabled');
      await lti.tool.deletePlatform(issuer, clientId);
      console.log(`${issuer} (client_id ${clientId}) removed; its courses and users are kept, disabled.`);
    } else {
      const kid = await lti.tool.rotateKey(issuer, clientId);
      console.log(`New tool key ${kid}; the previous key stays in the JWKS for an hour.`);
    }
    return 0;
  } finally {
    await core.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(`Configuration error: ${err.message}`);
    else if (err instanceof LtiError || (err as { code?: string }).code) console.error(`${(err as Error).message}`);
    else console.error(err);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
