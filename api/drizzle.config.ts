import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  // Every feature's tables.ts, and the ltijs store's table that lives with its code in lti-tool.
  schema: ['./api/src/*/tables.ts', './lti-tool/src/store/schema.ts'],
  out: './api/drizzle',
});
