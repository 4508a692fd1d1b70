/**
 * A small read-only CodeMirror view (the class grid's tiles, the replay): the language's highlighting, loaded on
 * demand, no line wrapping surprises, in the app's colours. Either bound to a live Y.Text (yCollab keeps it in step
 * with the document) or fed whole texts (`setText`, the replay's slider).
 */
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { yCollab } from 'y-codemirror.next';
import type * as Y from 'yjs';
import type { CollabLanguage } from '../gql/graphql';
import { languageSupport } from './languages';
import './codemirror-styles';

export interface ReadOnlyViewOptions {
  parent: HTMLElement;
  language: CollabLanguage;
  /** Follow this text live; otherwise the view shows `text` and whatever `setText` gives it. */
  live?: Y.Text;
  text?: string;
  /** Font size in px (tiles are small). */
  fontSize?: number;
  gutter?: boolean;
}

export interface ReadOnlyView {
  view: EditorView;
  setText(text: string): void;
  destroy(): void;
}

const theme = (fontSize: number) =>
  EditorView.theme({
    '&': { fontSize: `${fontSize}px`, height: '100%', backgroundColor: 'var(--cc-surface)' },
    '.cm-scroller': { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace", lineHeight: '1.45' },
    '.cm-gutters': { backgroundColor: '#f6f8fa', color: 'var(--cc-muted)', borderRight: '1px solid var(--cc-border)' },
    '&.cm-focused': { outline: 'none' },
  });

export function createReadOnlyView(o: ReadOnlyViewOptions): ReadOnlyView {
  const language = new Compartment();
  const extensions: Extension[] = [
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    theme(o.fontSize ?? 13),
    language.of([]),
  ];
  if (o.gutter) extensions.push(lineNumbers());
  if (o.live) extensions.push(yCollab(o.live, null, { undoManager: false }));
  const view = new EditorView({
    parent: o.parent,
    state: EditorState.create({ doc: o.live ? o.live.toString() : (o.text ?? ''), extensions }),
  });
  let destroyed = false;
  void languageSupport(o.language).then((ext) => {
    if (!destroyed) view.dispatch({ effects: language.reconfigure(ext) });
  });
  return {
    view,
    setText(text) {
      const current = view.state.doc.toString();
      if (current === text) return;
      // The smallest change between the two texts: the view keeps its scroll where nothing changed.
      let start = 0;
      while (start < current.length && start < text.length && current[start] === text[start]) start++;
      let end = 0;
      while (end < current.length - start && end < text.length - start && current[current.length - 1 - end] === text[text.length - 1 - end])
        end++;
      view.dispatch({
        changes: { from: start, to: current.length - end, insert: text.slice(start, text.length - end) },
        scrollIntoView: true,
        selection: { anchor: text.length - end },
      });
    },
    destroy() {
      destroyed = true;
      view.destroy();
    },
  };
}
