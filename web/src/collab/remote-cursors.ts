/**
 * Remote cursors and selections with names, in CodeMirror, from the document's awareness, and the local cursor put
 * into it. It does what y-codemirror.next's `yRemoteSelections` does (same classes, its theme), but sets colours
 * through CSSOM and classes instead of `style` attributes, which the app's Content Security Policy refuses (the
 * carets and selections would then show without their person's colour).
 */
import { RangeSet, type Range } from '@codemirror/state';
import { Decoration, type DecorationSet, EditorView, ViewPlugin, type ViewUpdate, WidgetType } from '@codemirror/view';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';

/** Selection colours as classes of one constructed style sheet (not subject to the policy), made as colours appear. */
const selectionClasses = (() => {
  const known = new Map<string, string>();
  let sheet: CSSStyleSheet | null = null;
  return (color: string): string => {
    const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1]?.toLowerCase();
    if (!hex) return 'cm-ySelection--neutral';
    let cls = known.get(hex);
    if (cls) return cls;
    cls = `cm-ySelection--${hex}`;
    known.set(hex, cls);
    if (!sheet && typeof CSSStyleSheet !== 'undefined' && typeof document !== 'undefined') {
      sheet = new CSSStyleSheet();
      sheet.insertRule('.cm-ySelection--neutral { background-color: rgb(120 120 120 / 20%) }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    }
    sheet?.insertRule(`.${cls} { background-color: #${hex}33 }`, sheet.cssRules.length);
    return cls;
  };
})();

class CaretWidget extends WidgetType {
  constructor(
    readonly color: string,
    readonly name: string,
  ) {
    super();
  }

  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = 'cm-ySelectionCaret';
    caret.style.backgroundColor = this.color;
    caret.style.borderColor = this.color;
    const dot = document.createElement('div');
    dot.className = 'cm-ySelectionCaretDot';
    const info = document.createElement('div');
    info.className = 'cm-ySelectionInfo';
    info.textContent = this.name;
    caret.append('\u2060', dot, '\u2060', info, '\u2060');
    return caret;
  }

  override eq(other: CaretWidget): boolean {
    return other.color === this.color && other.name === this.name;
  }

  override get estimatedHeight(): number {
    return -1;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

interface CursorState {
  cursor?: { anchor?: unknown; head?: unknown } | null;
  user?: { name?: unknown; color?: unknown };
}

const relative = (json: unknown) => (json == null ? null : Y.createRelativePositionFromJSON(json));

/** The CodeMirror extension: remote carets and selections of `text`'s document, and the local one told to others. */
export function remoteCursors(text: Y.Text, awareness: Awareness) {
  const doc = text.doc!;
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet = RangeSet.empty;
      private readonly onChange: (changes: { added: number[]; updated: number[]; removed: number[] }) => void;

      constructor(readonly view: EditorView) {
        this.onChange = ({ added, updated, removed }) => {
          if ([...added, ...updated, ...removed].some((id) => id !== doc.clientID)) view.dispatch({});
        };
        awareness.on('change', this.onChange);
      }

      destroy(): void {
        awareness.off('change', this.onChange);
      }

      update(update: ViewUpdate): void {
        this.tellLocal(update);
        this.decorations = this.remote(update);
      }

      /** Puts the local selection into the awareness state while the editor has the focus. */
      private tellLocal(update: ViewUpdate): void {
        const local = awareness.getLocalState() as CursorState | null;
        if (!local) return;
        const hasFocus = update.view.hasFocus && update.view.dom.ownerDocument.hasFocus();
        if (!hasFocus) return;
        const sel = update.state.selection.main;
        const anchor = Y.createRelativePositionFromTypeIndex(text, sel.anchor);
        const head = Y.createRelativePositionFromTypeIndex(text, sel.head);
        const current = local.cursor;
        if (
          current == null ||
          !Y.compareRelativePositions(relative(current.anchor), anchor) ||
          !Y.compareRelativePositions(relative(current.head), head)
        ) {
          awareness.setLocalStateField('cursor', { anchor, head });
        }
      }

      private remote(update: ViewUpdate): DecorationSet {
        const decorations: Range<Decoration>[] = [];
        const lines = update.state.doc;
        awareness.getStates().forEach((raw, clientId) => {
          if (clientId === doc.clientID) return;
          const state = raw as CursorState;
          const cursor = state.cursor;
          if (cursor?.anchor == null || cursor.head == null) return;
          const anchor = Y.createAbsolutePositionFromRelativePosition(relative(cursor.anchor)!, doc);
          const head = Y.createAbsolutePositionFromRelativePosition(relative(cursor.head)!, doc);
          if (!anchor || !head || anchor.type !== text || head.type !== text) return;
          if (Math.max(anchor.index, head.index) > lines.length) return;
          const color = typeof state.user?.color === 'string' ? state.user.color : '#30bced';
          const name = typeof state.user?.name === 'string' ? state.user.name : 'Someone';
          const cls = `cm-ySelection ${selectionClasses(color)}`;
          const start = Math.min(anchor.index, head.index);
          const end = Math.max(anchor.index, head.index);
          const startLine = lines.lineAt(start);
          const endLine = lines.lineAt(end);
          if (start < end) {
            if (startLine.number === endLine.number) decorations.push(Decoration.mark({ class: cls }).range(start, end));
            else {
              if (start < startLine.to) decorations.push(Decoration.mark({ class: cls }).range(start, startLine.to));
              for (let n = startLine.number + 1; n < endLine.number; n++) {
                const from = lines.line(n).from;
                decorations.push(Decoration.line({ class: `cm-yLineSelection ${selectionClasses(color)}` }).range(from));
              }
              if (endLine.from < end) decorations.push(Decoration.mark({ class: cls }).range(endLine.from, end));
            }
          }
          decorations.push(
            Decoration.widget({ side: head.index - anchor.index > 0 ? -1 : 1, widget: new CaretWidget(color, name) }).range(head.index),
          );
        });
        return Decoration.set(decorations, true);
      }
    },
    { decorations: (v) => v.decorations },
  );
}
