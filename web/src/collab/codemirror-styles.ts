/**
 * CodeMirror puts its styles on the page with style-mod, which, for a document, writes the text of a `<style>`
 * element: the app's Content-Security-Policy (`style-src 'self'`, no inline styles: api/src/http/csp.ts) blocks that
 * and the editors show unstyled (gutters stacked over the code, no highlighting). Constructable stylesheets
 * (`adoptedStyleSheets`, filled through CSSOM) are not governed by the policy, and style-mod uses them for a shadow
 * root: this module makes it use them for the document too, by mounting into a stand-in root that has no `<head>`
 * and forwards `adoptedStyleSheets` to the document. Imported for its effect before any editor is made.
 */
import { StyleModule } from 'style-mod';

function install(): void {
  if (typeof document === 'undefined' || !('adoptedStyleSheets' in Document.prototype) || typeof CSSStyleSheet === 'undefined') return;
  const mount = StyleModule.mount.bind(StyleModule);
  const stand = {
    ownerDocument: document,
    get adoptedStyleSheets() {
      return document.adoptedStyleSheets;
    },
    set adoptedStyleSheets(sheets: CSSStyleSheet[]) {
      document.adoptedStyleSheets = sheets;
    },
  } as unknown as ShadowRoot;
  StyleModule.mount = (root, modules, options) => mount(root === document ? stand : root, modules, options);
}

install();
