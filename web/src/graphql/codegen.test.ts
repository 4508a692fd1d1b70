/**
 * The web app's types are generated from `schema.graphql` and the operations in `web/src` (web/codegen.ts).
 * These tests run the generator in memory, as `npm run codegen` does, and fail when the committed files in
 * `web/src/gql/` are stale or when an operation does not validate against the schema.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate, type CodegenConfig } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config, { outputDir } from '../../codegen';

/** The generator's output, in memory (nothing is written). */
const run = (overrides: Partial<CodegenConfig> = {}): Promise<{ filename: string; content: string }[]> =>
  generate({ ...config, ...overrides }, false);

describe('generated GraphQL client types (web/src/gql)', () => {
  it('are what `npm run codegen` writes from schema.graphql and the operations today', async () => {
    const files = await run();
    expect(files.length).toBeGreaterThan(0);
    const stale: string[] = [];
    for (const file of files) {
      const committed = await readFile(file.filename, 'utf8').catch(() => null);
      if (committed !== file.content) stale.push(file.filename);
    }
    expect(stale, 'stale generated files: run `npm run codegen`').toEqual([]);
    // Nothing else lives in the folder (a file the generator no longer writes would be stale too).
    const onDisk = (await readdir(outputDir)).map((name) => join(outputDir, name)).sort();
    expect(onDisk).toEqual(files.map((file) => file.filename).sort());
  });

  it('fails on an operation that does not validate against schema.graphql', async () => {
    const documents = [...(config.documents as string[]), 'query NotInTheSchema { course(id: "c") { id noSuchField } }'];
    await expect(run({ documents })).rejects.toThrow(/Cannot query field "noSuchField" on type "Course"/);
  });

  it('fails on an operation whose variables do not fit the schema', async () => {
    const documents = [...(config.documents as string[]), 'query WrongVariable($id: Int!) { course(id: $id) { id } }'];
    await expect(run({ documents })).rejects.toThrow(/Variable "\$id" of type "Int!" used in position expecting type "ID!"/);
  });
});
