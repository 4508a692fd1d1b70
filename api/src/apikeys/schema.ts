/** Integrator API keys: list, create (secret shown once), revoke. */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import { API_KEY_SCOPES } from '../auth/viewer.js';
import type { ApiKey } from './service.js';
import { UserRef } from '../users/schema.js';
import { getUsers } from '../users/service.js';

const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', {
  values: Object.fromEntries(API_KEY_SCOPES.map((s) => [s.toUpperCase(), { value: s }])) as {
    READ: { value: 'read' };
    WRITE: { value: 'write' };
    ADMIN: { value: 'admin' };
  },
});

const ApiKeyRef = builder.objectRef<ApiKey>('ApiKey').implement({
  description: 'An API key of this platform. The secret is never shown again after creation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.string({ description: 'The public start of the key, to recognise it.', resolve: (k) => `ltk_${k.prefix}` }),
    scopes: t.field({ type: [ApiKeyScopeEnum], resolve: (k) => k.scopes as ('read' | 'write')[] }),
    tenantWide: t.exposeBoolean('tenantWide', {
      description: 'True: the key reaches every course of the platform, while its creator is still an LMS administrator.',
    }),
    courseIds: t.field({
      type: ['ID'],
      description: 'The courses the key reaches (empty for a tenant-wide key), each only while its creator is still staff of it.',
      resolve: (k) => k.courseIds,
    }),
    createdBy: t.field({
      type: UserRef,
      nullable: true,
      description: 'Who created the key (null for installation keys, or when that user is gone).',
      resolve: async (k, _a, ctx) =>
        k.createdBy ? ((await getUsers(ctx.services.database.db, k.tenantId, [k.createdBy]))[0] ?? null) : null,
    }),
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
    courseIds: t.idList({
      required: false,
      description: 'The courses the key may reach: courses you are staff of. Default: the course you are signed into.',
    }),
    tenantWide: t.boolean({
      required: false,
      description: 'Reach every course of the platform instead (LMS administrators only). Default false.',
    }),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.field({
    type: [ApiKeyRef],
    description: 'API keys: staff see the keys they created, LMS administrators every key of the platform.',
    resolve: (_r, _a, ctx) => ctx.services.apiKeys.list(requireViewer(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreatedApiKeyRef,
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    description:
      'Creates a key (staff of a course, or an LMS administrator). It reaches the courses you choose among those you are staff of, or the whole platform (administrators only).',
    resolve: (_r, { input }, ctx) =>
      ctx.services.apiKeys.create(requireViewer(ctx), {
        name: input.name,
        scopes: input.scopes,
        expiresAt: input.expiresAt ?? null,
        courseIds: input.courseIds?.map(String) ?? null,
        tenantWide: input.tenantWide ?? false,
      }),
  }),
  revokeApiKey: t.field({
    type: ApiKeyRef,
    description: 'Revokes a key: its creator or an LMS administrator (NOT_FOUND for anyone else).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.apiKeys.revoke(requireViewer(ctx), String(id)),
  }),
}));
