// Markdown for chat messages: markdown-it without raw HTML, only http(s)/mailto links, no remote
// images unless allowed, a small set of highlighted languages, @mentions, a Copy button on code blocks,
// then DOMPurify with a strict allow list as the last word (the output goes into v-html).
import DOMPurify from 'dompurify';
import type { Config, DOMPurify as Purifier } from 'dompurify';
import MarkdownIt from 'markdown-it';
import type { MarkdownIt as Md, StateCore, Token as MdToken } from 'markdown-it';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import plaintext from 'highlight.js/lib/languages/plaintext';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';

export interface CodeLanguage {
  id: string;
  label: string;
}

/** The languages the composer offers for CODE messages (and the only ones highlighted). */
export const CODE_LANGUAGES: readonly CodeLanguage[] = [
  { id: 'plaintext', label: 'Plain text' },
  { id: 'javascript', label: 'JavaScript' },
  { id: 'typescript', label: 'TypeScript' },
  { id: 'python', label: 'Python' },
  { id: 'java', label: 'Java' },
  { id: 'c', label: 'C' },
  { id: 'cpp', label: 'C++' },
  { id: 'csharp', label: 'C#' },
  { id: 'go', label: 'Go' },
  { id: 'rust', label: 'Rust' },
  { id: 'sql', label: 'SQL' },
  { id: 'bash', label: 'Bash' },
  { id: 'json', label: 'JSON' },
  { id: 'html', label: 'HTML / XML' },
  { id: 'css', label: 'CSS' },
  { id: 'markdown', label: 'Markdown' },
  { id: 'kotlin', label: 'Kotlin' },
  { id: 'php', label: 'PHP' },
  { id: 'ruby', label: 'Ruby' },
];

// Registering only these keeps the bundle small. Each grammar also brings its aliases
// (js, ts, py, sh, html, ...), which fences often use; 'html' is an alias of the xml grammar.
const GRAMMARS = {
  plaintext,
  javascript,
  typescript,
  python,
  java,
  c,
  cpp,
  csharp,
  go,
  rust,
  sql,
  bash,
  json,
  xml,
  css,
  markdown,
  kotlin,
  php,
  ruby,
};
for (const [name, grammar] of Object.entries(GRAMMARS)) hljs.registerLanguage(name, grammar);

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The only link targets rendered as links; anything else stays plain text. */
const SAFE_URL = /^(?:https?:\/\/|mailto:)/i;
const LINK_REL = 'noopener noreferrer nofollow ugc';

// ---- DOMPurify -------------------------------------------------------------------------------

// div and button: the code block's frame and its Copy button (markdown-it passes no raw HTML, so only ours;
// no event handler attribute is allowed on anything: the message view listens for clicks on `.code-copy`).
const TAGS = [
  'a',
  'blockquote',
  'br',
  'button',
  'code',
  'div',
  'em',
  'hr',
  'li',
  'ol',
  'p',
  'pre',
  's',
  'span',
  'strong',
  'table',
  'tbody',
  'td',
  'th',
  'thead',
  'tr',
  'ul',
];
const ATTRS = ['href', 'target', 'rel', 'title', 'class', 'start', 'type'];
const BASE_CONFIG: Config = {
  ALLOWED_TAGS: TAGS,
  ALLOWED_ATTR: ATTRS,
  ALLOWED_URI_REGEXP: SAFE_URL,
  // DOMPurify checks every allowed attribute that is not "URI safe" against ALLOWED_URI_REGEXP,
  // which would strip these plain values now that the regexp demands a scheme.
  ADD_URI_SAFE_ATTR: ['target', 'rel', 'start', 'type'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
};
const IMAGE_CONFIG: Config = { ...BASE_CONFIG, ALLOWED_TAGS: [...TAGS, 'img'], ALLOWED_ATTR: [...ATTRS, 'src', 'alt'] };

let purifier: Purifier | null = null;

function sanitize(html: string, allowImages: boolean): string {
  if (!purifier) {
    if (typeof window === 'undefined') throw new Error('chat markdown needs a DOM (a browser, or a jsdom test environment)');
    purifier = DOMPurify(window);
  }
  // Without a working DOM, DOMPurify returns its input unchanged: refuse rather than pass HTML through.
  if (!purifier.isSupported) throw new Error('DOMPurify is not supported in this environment');
  return purifier.sanitize(html, allowImages ? IMAGE_CONFIG : BASE_CONFIG);
}

// ---- Code highlighting -----------------------------------------------------------------------

/** Highlighted, escaped HTML (not sanitized) of a code body; unknown or missing languages are plain escaped text. */
function highlightRaw(code: string, language: string | null): string {
  // No auto-detection: it is slow and often wrong on short snippets.
  if (language && hljs.getLanguage(language)) return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  return escapeHtml(code);
}

/** The inner HTML of the `<code>` element of a CODE message. */
export function highlightCode(code: string, language: string | null): string {
  return sanitize(highlightRaw(code, language), false);
}

// ---- markdown-it -----------------------------------------------------------------------------

// A type alias (not an interface) so that it fits markdown-it's index-signature Env.
type RenderEnv = {
  allowImages: boolean;
  mentionNames: string[];
};

/** The Copy button of a fenced code block (the click is handled by the message view, see `codeToCopy`). */
const COPY_BUTTON = '<button type="button" class="code-copy" title="Copy code">Copy</button>';

/** The code a `.code-copy` button of rendered Markdown copies: the text of its block's `<code>`; null for other targets. */
export function codeToCopy(target: EventTarget | null): { button: HTMLElement; code: string } | null {
  const button = target instanceof Element ? target.closest<HTMLElement>('.code-copy') : null;
  const code = button?.closest('.code-block')?.querySelector('code');
  return button && code ? { button, code: code.textContent ?? '' } : null;
}

const md: Md = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: true,
  // Returning a whole <pre> keeps markdown-it from adding its own wrapper, so the classes are ours.
  highlight: (code, lang) => {
    const known = lang !== '' && hljs.getLanguage(lang) !== undefined;
    const cls = known ? `hljs language-${escapeHtml(lang)}` : 'hljs';
    return `<pre><code class="${cls}">${highlightRaw(code, known ? lang : null)}</code></pre>\n`;
  },
});

// Link rules, autolinks, linkify and reference definitions all ask this; a refused URL leaves the
// source as plain text (e.g. `[x](javascript:alert(1))` stays literally that).
md.validateLink = (url) => SAFE_URL.test(url);

// `[x]()` still makes a link, with an empty href: drop such links, keeping their text.
md.core.ruler.after('linkify', 'chat_drop_bad_links', (state) => {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const dropped: boolean[] = [];
    block.children = block.children.filter((t) => {
      if (t.type === 'link_open') {
        const bad = !SAFE_URL.test(String(t.attrGet('href') ?? ''));
        dropped.push(bad);
        return !bad;
      }
      if (t.type === 'link_close') return !dropped.pop();
      return true;
    });
  }
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// @mentions: split text tokens (outside links) into text and 'mention' tokens.
md.core.ruler.push('chat_mentions', (state) => {
  const names = (state.env as RenderEnv).mentionNames.filter((n) => n.length > 0);
  if (names.length === 0) return;
  // Longest first so "@Ana Lopez" wins over "@Ana"; not inside a word or an e-mail address.
  const alternatives = [...names]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  const re = new RegExp(`(?<![\\p{L}\\p{N}_@.])@(?:${alternatives})(?![\\p{L}\\p{N}_])`, 'gu');
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const out: MdToken[] = [];
    let linkDepth = 0;
    for (const t of block.children) {
      if (t.type === 'link_open') linkDepth++;
      if (t.type === 'link_close') linkDepth--;
      if (t.type !== 'text' || linkDepth > 0) {
        out.push(t);
        continue;
      }
      let last = 0;
      for (const m of t.content.matchAll(re)) {
        if (m.index > last) out.push(textToken(state, t.content.slice(last, m.index)));
        const mention = new state.Token('mention', '', 0);
        mention.content = m[0];
        out.push(mention);
        last = m.index + m[0].length;
      }
      out.push(last === 0 ? t : textToken(state, t.content.slice(last)));
    }
    block.children = out.filter((t) => t.type !== 'text' || t.content !== '');
  }
});

function textToken(state: StateCore, content: string): MdToken {
  const t = new state.Token('text', '', 0);
  t.content = content;
  return t;
}

const rules = md.renderer.rules;

// Code blocks (fenced or indented) in a frame with their Copy button.
for (const kind of ['fence', 'code_block'] as const) {
  const render = rules[kind]!;
  rules[kind] = (tokens, idx, options, env, self) =>
    `<div class="code-block">${render(tokens, idx, options, env, self).trimEnd()}${COPY_BUTTON}</div>\n`;
}

rules.mention = (tokens, idx) => `<span class="mention">${escapeHtml(tokens[idx]?.content ?? '')}</span>`;

rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', LINK_REL);
  return self.renderToken(tokens, idx, options);
};

// Remote images would leak the reader's IP address and presence: show a link to them instead.
rules.image = (tokens, idx, options, rawEnv, self) => {
  const env = rawEnv as RenderEnv;
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  if (!SAFE_URL.test(src)) return escapeHtml(alt);
  if (env.allowImages) return `<img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}">`;
  return `<a href="${escapeHtml(src)}" target="_blank" rel="${LINK_REL}">🖼 ${escapeHtml(alt || 'image')}</a>`;
};

// A chat is not a document: headings become bold paragraphs.
rules.heading_open = () => '<p><strong>';
rules.heading_close = () => '</strong></p>\n';

export interface RenderOptions {
  /** Load images inline (otherwise they are shown as links). */
  allowImages?: boolean;
  /** Display names to highlight when written as `@Name`. */
  mentionNames?: string[];
}

/** Safe HTML for a TEXT message body. */
export function renderMarkdown(src: string, opts: RenderOptions = {}): string {
  const env: RenderEnv = { allowImages: opts.allowImages ?? false, mentionNames: opts.mentionNames ?? [] };
  return sanitize(md.render(src, env), env.allowImages);
}
