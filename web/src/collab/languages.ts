/**
 * The languages of collab sessions and their CodeMirror support, each loaded on demand (its own small chunk), so a
 * page pulls only the grammar it shows.
 */
import type { Extension } from '@codemirror/state';
import type { CollabLanguage } from '../gql/graphql';

export const LANGUAGE_LABELS: Record<CollabLanguage, string> = {
  PYTHON: 'Python',
  JAVASCRIPT: 'JavaScript',
  TYPESCRIPT: 'TypeScript',
  JAVA: 'Java',
  C: 'C',
  CPP: 'C++',
  GO: 'Go',
  SQL: 'SQL',
};

const loaders: Record<CollabLanguage, () => Promise<Extension>> = {
  PYTHON: async () => (await import('@codemirror/lang-python')).python(),
  JAVASCRIPT: async () => (await import('@codemirror/lang-javascript')).javascript(),
  TYPESCRIPT: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true }),
  JAVA: async () => (await import('@codemirror/lang-java')).java(),
  C: async () => (await import('@codemirror/lang-cpp')).cpp(),
  CPP: async () => (await import('@codemirror/lang-cpp')).cpp(),
  GO: async () => (await import('@codemirror/lang-go')).go(),
  SQL: async () => (await import('@codemirror/lang-sql')).sql(),
};

const loaded = new Map<CollabLanguage, Promise<Extension>>();

/** The language's CodeMirror extension (highlighting, indentation), loaded once per page. */
export function languageSupport(language: CollabLanguage): Promise<Extension> {
  let p = loaded.get(language);
  if (!p) {
    p = loaders[language]();
    loaded.set(language, p);
  }
  return p;
}
