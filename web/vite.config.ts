import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformAsync, types as t, type PluginObj, type PluginPass } from '@babel/core';
import { babelOptimizerPlugin } from '@graphql-codegen/client-preset';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('./dist', import.meta.url));
/** Where GraphQL Code Generator writes the typed documents (`outputDir` in codegen.ts). */
const gqlDir = fileURLToPath(new URL('./src/gql', import.meta.url));
const documentsFile = path.join(gqlDir, 'graphql.ts');

/** The API (api/) listens here in development; the dev server forwards to it. */
const apiOrigin = 'http://localhost:3000';

const documentPrefix = 'virtual:graphql-document/';

/** Babel: `import { ChatRoomsDocument } from '../gql/graphql'` becomes an import of that document's own module. */
function importEachDocumentAlone(): PluginObj<PluginPass> {
  return {
    name: 'import-each-graphql-document-alone',
    visitor: {
      ImportDeclaration(declaration, state) {
        const from = declaration.node.source.value;
        if (!from.startsWith('.') || state.filename == null) return;
        if (path.resolve(path.dirname(state.filename), from) !== documentsFile.replace(/\.ts$/, '')) return;
        declaration.replaceWithMultiple(
          declaration.node.specifiers.map((specifier) => {
            if (specifier.type !== 'ImportSpecifier' || specifier.imported.type !== 'Identifier') {
              throw declaration.buildCodeFrameError('Import GraphQL documents by name');
            }
            return t.importDeclaration([specifier], t.stringLiteral(documentPrefix + specifier.imported.name));
          }),
        );
      },
    },
  };
}

/**
 * The client preset's `graphql()` looks each document up in a map of every document of the app, and
 * `src/gql/graphql.ts` is one module holding them all, so the main chunk would carry every document of every
 * feature. Here the preset's Babel plugin turns each `graphql(`…`)` call (after TypeScript and Vue compilation)
 * into an import of that one document, served as a module of its own cut from `graphql.ts`: a document goes
 * into the chunk of the lazy route that uses it.
 */
function graphqlDocuments(): Plugin {
  let documents: Promise<Map<string, string>> | undefined;
  const readDocuments = async () => {
    const byName = new Map<string, string>();
    const source = await readFile(documentsFile, 'utf8');
    for (const [, name, ast] of source.matchAll(/^export const (\w+) = (\{.*\}) as unknown as DocumentNode<.*>;$/gm)) {
      if (name != null && ast != null) byName.set(name, ast);
    }
    return byName;
  };
  return {
    name: 'graphql-documents',
    watchChange(id) {
      if (id === documentsFile) documents = undefined;
    },
    resolveId(source) {
      return source.startsWith(documentPrefix) ? `\0${source}` : null;
    },
    async load(id) {
      if (!id.startsWith(`\0${documentPrefix}`)) return null;
      this.addWatchFile(documentsFile);
      const name = id.slice(documentPrefix.length + 1);
      const ast = (await (documents ??= readDocuments())).get(name);
      if (ast == null) this.error(`${name} is not in ${documentsFile}: run npm run codegen`);
      return `export const ${name} = ${ast};\n`;
    },
    async transform(code, id) {
      const file = id.split('?', 1)[0] ?? id;
      if (!/\.(ts|vue)$/.test(file) || file.startsWith(gqlDir) || !code.includes('graphql(')) return null;
      const result = await transformAsync(code, {
        filename: file,
        babelrc: false,
        configFile: false,
        sourceMaps: true,
        plugins: [[babelOptimizerPlugin, { artifactDirectory: gqlDir, gqlTagName: 'graphql' }], importEachDocumentAlone],
      });
      if (result?.code == null) return null;
      return { code: result.code, map: result.map };
    },
  };
}

export default defineConfig({
  root: webDir,
  plugins: [vue(), graphqlDocuments()],
  build: {
    outDir,
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/graphql': { target: apiOrigin, ws: true },
      '/lti': { target: apiOrigin },
      '/healthz': { target: apiOrigin },
    },
  },
});
