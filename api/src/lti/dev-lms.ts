/**
 * The development LMS at /dev/lms: an LTI 1.3 platform (lti-tool/src/platform) inside the app that signs real
 * id_tokens with its own key and goes through the real OIDC flow, so a newcomer sees a launch in one minute
 * without an LMS. Off in production, and the config module refuses to turn it on there.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPlatform, SCOPES, type LtiPlatform } from '@lt/lti-tool';
import type { Config } from '../config.js';
import type { LtiService } from './service.js';

export const DEV_CLIENT_ID = 'dev-lms-tool';
export const DEV_DEPLOYMENT_ID = 'dev-deployment-1';

export async function startDevLms(config: Config, lti: LtiService): Promise<LtiPlatform> {
  if (config.env === 'production' || !config.devLms) throw new Error('the development LMS is not available in production');
  const keyFile = path.join(config.dataDir, 'dev-lms-key.json');
  const privateJwk = existsSync(keyFile) ? JSON.parse(readFileSync(keyFile, 'utf8')) : undefined;
  const platform = await createPlatform({
    baseUrl: `${config.publicUrl}/dev/lms`,
    profile: 'generic',
    name: 'Development LMS',
    privateJwk,
  });
  if (!privateJwk) writeFileSync(keyFile, JSON.stringify(platform.exportPrivateJwk()), { mode: 0o600 });
  const tool = lti.tool;
  platform.registerTool({
    clientId: DEV_CLIENT_ID,
    deploymentIds: [DEV_DEPLOYMENT_ID],
    loginUrl: tool.loginUrl,
    redirectUris: [tool.redirectUri],
    jwksUrl: tool.jwksUrl,
    targetLinkUri: tool.redirectUri,
    scopes: [...SCOPES],
  });
  // Registered once (ltijs generates the tool's key pair for it); later starts reuse the stored registration.
  if (!(await tool.lti.getPlatform(platform.issuer, DEV_CLIENT_ID))) {
    await tool.registerPlatform({
      issuer: platform.issuer,
      clientId: DEV_CLIENT_ID,
      name: 'Development LMS',
      product: 'generic',
      authEndpoint: `${platform.issuer}/auth`,
      tokenEndpoint: `${platform.issuer}/token`,
      jwksUrl: `${platform.issuer}/jwks`,
      deploymentIds: [DEV_DEPLOYMENT_ID],
      status: 'active',
      acceptNewDeployments: false,
    });
  }
  return platform;
}
