/**
 * GraphQL Code Generator (client preset): the web app's types come from `schema.graphql`, never by hand.
 * Every operation and fragment in `web/src` is written with the generated `graphql()` function; this config
 * turns them into typed documents in `web/src/gql/` (committed). Run `npm run codegen` after changing an
 * operation or the schema; `web/src/graphql/codegen.test.ts` fails while the committed files are stale or an
 * operation does not validate against the schema.
 */
import { fileURLToPath } from 'node:url';
import type { CodegenConfig } from '@graphql-codegen/cli';

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Where the generated files go (a folder: the client preset writes several files into it). */
export const outputDir = at('./src/gql/');

const config: CodegenConfig = {
  schema: at('../schema.graphql'),
  documents: [at('./src/**/*.ts'), at('./src/**/*.vue'), `!${at('./src/gql/**')}`, `!${at('./src/**/*.test.ts')}`],
  ignoreNoDocuments: false,
  // Documents are validated against the schema (codegen's default; never set skipDocumentsValidation).
  silent: true,
  generates: {
    [outputDir]: {
      preset: 'client',
      presetConfig: {
        // Operation results carry their fragments' fields, as Apollo Client returns them (no data masking).
        fragmentMasking: false,
      },
      config: {
        // The app compares enum values as strings ('TEXT', 'COURSE'): string unions, not TypeScript enums.
        enumsAsTypes: true,
        // Only what the app's operations use (their enums, inputs and scalars), not every schema type.
        onlyOperationTypes: true,
        // A nullable field the operation selects is always present (null when empty): `topic: string | null`.
        avoidOptionals: { field: true },
        useTypeImports: true,
        strictScalars: true,
        scalars: {
          ID: 'string',
          // ISO 8601 strings on the wire; the app parses them where it needs dates.
          DateTime: 'string',
          JSON: 'unknown',
        },
      },
    },
  },
};

export default config;
