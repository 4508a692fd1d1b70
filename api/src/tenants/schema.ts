import { builder } from '../graphql/builder.js';
import type { Tenant } from './service.js';

export const TenantRef = builder.objectRef<Tenant>('Tenant').implement({
  description: 'A registered LMS platform (issuer and client id).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    platform: t.exposeString('platform', { description: 'moodle, canvas or generic' }),
  }),
});
