/** Integrator API keys: list, create (secret shown once), revoke. */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { API_KEY_SCOPES } from '../auth/viewer.js';
import type { ApiKey } from './service.js';

const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', {
  values: Object.fromEntries(API_KEY_SCOPES.map((s) => [s.toUpperCase(), { value: s }])) as { READ: { value: 'read' }; WRITE: { value: 'write' }; ADMIN: { value: 'admin' } },
});

const ApiKeyRef = builder.objectRef<ApiKey>('ApiKey').implement({
  description: 'An API key of this platform. The secret is never shown again after creation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.string({ description: 'The public start of the key, to recognise it.', resolve: (k) => `ltk_${k.prefix}` }),
    scopes: t.field({ type: [ApiKeyScopeEnum], resolve: (k) => k.scopes as ('read' | 'write')[] }),
    createdAt: t.field({ type: 'DateTime', resolve: (k) => k.createdAt }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.lastUsedAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.expiresAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.revokedAt }),
  }),
});

const CreatedApiKeyRef = builder.objectRef<{ key: ApiKey; secret: string }>('CreatedApiKey').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, resolve: (r) => r.key }),
    secret: t.exposeString('secret', { description: 'The whole key. Store it now: it cannot be shown again.' }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    scopes: t.field({ type: [ApiKeyScopeEnum], required: true }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.field({ type: [ApiKeyRef], description: "The platform's API keys (instructors and administrators).", resolve: (_r, _a, ctx) => ctx.services.apiKeys.list(requireViewer(ctx)) }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreatedApiKeyRef,
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.services.apiKeys.create(requireViewer(ctx), { name: input.name, scopes: input.scopes, expiresAt: input.expiresAt ?? null }),
  }),
  revokeApiKey: t.field({
    type: ApiKeyRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.apiKeys.revoke(requireViewer(ctx), String(id)),
  }),
}));
