import { builder } from '../graphql/builder.js';
import type { User } from './service.js';

export const UserRef = builder.objectRef<User>('User').implement({
  description: 'A person, as their LMS identifies them.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    email: t.exposeString('email', { nullable: true }),
    picture: t.exposeString('picture', { nullable: true }),
  }),
});
