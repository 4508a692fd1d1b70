// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { CODE_LANGUAGES, codeToCopy, highlightCode, renderMarkdown } from './markdown';

function parse(html: string): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = html;
  return root;
}

const FORBIDDEN_TAGS = [
  'script',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'form',
  'input',
  'button',
  'style',
  'link',
  'meta',
  'base',
  'textarea',
  'video',
  'audio',
  'source',
  'div',
];

/** The one div and button allowed: a fenced code block's frame and its Copy button, exactly as rendered. */
const OURS = { div: 'div.code-block', button: 'button.code-copy' } as Record<string, string>;
const isOurs = (el: Element) =>
  (el.matches('div.code-block') && el.attributes.length === 1 && el.firstElementChild?.tagName === 'PRE') ||
  (el.matches('button.code-copy') &&
    el.attributes.length === 3 &&
    el.getAttribute('type') === 'button' &&
    el.getAttribute('title') === 'Copy code' &&
    el.innerHTML === 'Copy');

/** Everything the sanitized output must never contain. */
function expectSafe(html: string, { imagesAllowed = false } = {}): void {
  const root = parse(html);
  for (const tag of FORBIDDEN_TAGS) {
    const found = [...root.querySelectorAll(tag)].filter((el) => !(OURS[tag] && isOurs(el)));
    expect(found[0] ?? null, `<${tag}> in ${html}`).toBeNull();
  }
  if (!imagesAllowed) expect(root.querySelector('img'), html).toBeNull();
  for (const el of root.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      expect(attr.name.startsWith('on'), `${attr.name} in ${html}`).toBe(false);
      expect(attr.name).not.toBe('style');
      expect(attr.name.includes(':'), `${attr.name} in ${html}`).toBe(false); // xlink:href and the like
    }
    for (const name of ['href', 'src']) {
      const url = el.getAttribute(name);
      if (url !== null) expect(url, html).toMatch(/^(https?:\/\/|mailto:)/i);
    }
  }
  for (const a of root.querySelectorAll('a')) {
    expect(a.getAttribute('target')).toBe('_blank');
    expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow ugc');
  }
  expect(html.toLowerCase()).not.toContain('<script');
}

const HOSTILE = [
  '<script>alert(1)</script>',
  'hello <script>alert(1)</script> world',
  '<img src=x onerror=alert(1)>',
  '<IMG SRC="javascript:alert(1)">',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;&#x61;vascript:alert(1))',
  '[x](&#0000106avascript:alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](<javascript:alert(1)>)',
  '[x]( javascript:alert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](DATA:text/html,<script>alert(1)</script>)',
  '[x](file:///etc/passwd)',
  '[x]()',
  '[x][r]\n\n[r]: javascript:alert(1)',
  '<javascript:alert(1)>',
  '<JAVASCRIPT:alert(1)>',
  '<data:text/html,<script>alert(1)</script>>',
  'javascript:alert(1)',
  '<div onclick="alert(1)">hi</div>',
  '<div>\n<script>alert(1)</script>\n</div>',
  '<iframe src="https://evil.example/"></iframe>',
  '<svg onload=alert(1)>',
  '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<style>body { display: none }</style>',
  '<p style="position:fixed;inset:0">overlay</p>',
  '<form action="https://evil.example/"><input name=p></form>',
  '<a href="javascript:alert(1)">raw</a>',
  '<!-- comment --><script>alert(1)</script>',
  '![pixel](https://evil.example/track.png)',
  '![x](javascript:alert(1))',
  '![x](data:image/png;base64,iVBORw0KGgo=)',
  '![<img src=x onerror=alert(1)>](https://evil.example/a.png)',
  '[<img src=x onerror=alert(1)>](https://ok.example/)',
  '[x](https://ok.example/ "a\\" onmouseover=\\"alert(1)")',
  'https://ok.example/"onmouseover="alert(1)',
  'https://ok.example/<script>alert(1)</script>',
  '**<script>alert(1)</script>**',
  '`<script>alert(1)</script>`',
  '```html\n<img src=x onerror=alert(1)>\n<script>alert(1)</script>\n```',
  '````\n```html\n<script>alert(1)</script>\n```\n````',
  '```js" onload="alert(1)\ncode\n```',
  '```"><script>alert(1)</script>\ncode\n```',
  '> <script>alert(1)</script>\n> [x](javascript:alert(1))',
  '- <iframe src=//evil.example>\n- [x](javascript:alert(1))',
  '| a |\n|---|\n| <script>alert(1)</script> |',
];

describe('renderMarkdown: hostile input', () => {
  it('has a checker that catches unsafe HTML', () => {
    for (const bad of [
      '<button>x</button>',
      '<div class="code-block" title="x"><pre></pre></div>',
      '<button type="button" class="code-copy" title="Copy code" onclick="x()">Copy</button>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:alert(1)" target="_blank" rel="noopener noreferrer nofollow ugc">x</a>',
      '<p style="x">y</p>',
      '<a href="https://ok.example/">no rel</a>',
    ]) {
      expect(() => expectSafe(bad), bad).toThrow();
    }
  });

  it.each(HOSTILE)('%j', (src) => {
    expectSafe(renderMarkdown(src));
    expectSafe(renderMarkdown(src, { allowImages: true }), { imagesAllowed: true });
    expectSafe(renderMarkdown(src, { mentionNames: ['Ana', '<img src=x onerror=alert(1)>'] }));
  });

  it('shows refused links as plain text', () => {
    const html = renderMarkdown('[x](javascript:alert(1))');
    expect(parse(html).querySelector('a')).toBeNull();
    expect(parse(html).textContent).toContain('[x](javascript:alert(1))');
    expect(parse(renderMarkdown('<javascript:alert(1)>')).textContent).toContain('<javascript:alert(1)>');
  });

  it('shows raw HTML as text', () => {
    expect(parse(renderMarkdown('<b>bold?</b>')).textContent?.trim()).toBe('<b>bold?</b>');
  });

  it('does not load a remote image unless allowed, but links to it', () => {
    const root = parse(renderMarkdown('![a cat](https://img.example/cat.png)'));
    expect(root.querySelector('img')).toBeNull();
    const a = root.querySelector('a');
    expect(a?.getAttribute('href')).toBe('https://img.example/cat.png');
    expect(a?.textContent).toBe('🖼 a cat');
    expect(parse(renderMarkdown('![](https://img.example/cat.png)')).querySelector('a')?.textContent).toBe('🖼 image');
  });

  it('loads images when allowed, http(s) only', () => {
    const img = parse(renderMarkdown('![a cat](https://img.example/cat.png)', { allowImages: true })).querySelector('img');
    expect(img?.getAttribute('src')).toBe('https://img.example/cat.png');
    expect(img?.getAttribute('alt')).toBe('a cat');
    expect(parse(renderMarkdown('![x](data:image/png;base64,iVBORw0KGgo=)', { allowImages: true })).querySelector('img')).toBeNull();
  });

  it('escapes a mention name that looks like HTML', () => {
    const root = parse(renderMarkdown('hi @<b>x</b>', { mentionNames: ['<b>x</b>'] }));
    expect(root.querySelector('b')).toBeNull();
    expect(root.querySelector('.mention')?.textContent).toBe('@<b>x</b>');
  });
});

describe('renderMarkdown: formatting', () => {
  it('renders emphasis, strikethrough, line breaks', () => {
    const html = renderMarkdown('**bold** _it_ ~~gone~~\nnext line');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>it</em>');
    expect(html).toContain('<s>gone</s>');
    expect(html).toContain('<br>');
  });

  it('renders lists, keeping an ordered list start', () => {
    expect(parse(renderMarkdown('- a\n- b')).querySelectorAll('ul > li')).toHaveLength(2);
    expect(parse(renderMarkdown('3. c\n4. d')).querySelector('ol')?.getAttribute('start')).toBe('3');
  });

  it('renders quotes, inline code and tables (without style attributes)', () => {
    const root = parse(renderMarkdown('> quoted `x < y`\n\n| a | b |\n|:--|--:|\n| 1 | 2 |'));
    expect(root.querySelector('blockquote code')?.textContent).toBe('x < y');
    expect(root.querySelectorAll('td')).toHaveLength(2);
  });

  it('demotes headings to bold paragraphs', () => {
    const root = parse(renderMarkdown('# Big\n## Smaller'));
    expect(root.querySelector('h1, h2, h3, h4, h5, h6')).toBeNull();
    expect(root.querySelectorAll('p > strong')).toHaveLength(2);
  });

  it('makes links open in a new tab without referrer', () => {
    for (const src of ['[site](https://ok.example/a?b=1)', '<https://ok.example/a?b=1>', 'see https://ok.example/a?b=1 now']) {
      const a = parse(renderMarkdown(src)).querySelector('a');
      expect(a?.getAttribute('href'), src).toBe('https://ok.example/a?b=1');
      expect(a?.getAttribute('target')).toBe('_blank');
      expect(a?.getAttribute('rel')).toBe('noopener noreferrer nofollow ugc');
    }
    expect(parse(renderMarkdown('mail ana@ok.example')).querySelector('a')?.getAttribute('href')).toBe('mailto:ana@ok.example');
    expect(parse(renderMarkdown('[mail](mailto:ana@ok.example)')).querySelector('a')?.getAttribute('href')).toBe('mailto:ana@ok.example');
  });

  it('leaves relative links as text', () => {
    expect(parse(renderMarkdown('[x](/admin)')).querySelector('a')).toBeNull();
  });

  it('highlights fenced code of a known language, aliases included', () => {
    for (const lang of ['python', 'py']) {
      const root = parse(renderMarkdown(`\`\`\`${lang}\ndef f(): return "<b>"\n\`\`\``));
      const code = root.querySelector('pre > code');
      expect(code?.classList.contains('hljs')).toBe(true);
      expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('def');
      expect(code?.textContent).toBe('def f(): return "<b>"\n');
    }
  });

  it('gives a fenced code block a Copy button that copies the code as written', () => {
    const root = parse(renderMarkdown('Try:\n\n```python\nprint("<b>hi</b>")\n```'));
    const button = root.querySelector('button.code-copy');
    expect(button?.textContent).toBe('Copy');
    expect(codeToCopy(button)).toEqual({ button, code: 'print("<b>hi</b>")\n' });
    expect(codeToCopy(root.querySelector('p'))).toBeNull();
    // Inline code has no button.
    expect(parse(renderMarkdown('use `x = 1`')).querySelector('button')).toBeNull();
  });

  it('escapes fenced code of an unknown or missing language', () => {
    for (const fence of ['```brainfuck', '```']) {
      const root = parse(renderMarkdown(`${fence}\n<b>x</b>\n\`\`\``));
      const code = root.querySelector('pre > code');
      expect(code?.querySelector('span, b')).toBeNull();
      expect(code?.textContent).toBe('<b>x</b>\n');
    }
  });

  it('wraps mentions, longest name first, not inside words, code or links', () => {
    const names = ['Ana', 'Ana Lopez', 'Chloé'];
    const root = parse(
      renderMarkdown('@Ana Lopez and @Ana, @Chloé! @Anabel mail@Ana `@Ana` [@Ana](https://ok.example/)', { mentionNames: names }),
    );
    expect([...root.querySelectorAll('.mention')].map((m) => m.textContent)).toEqual(['@Ana Lopez', '@Ana', '@Chloé']);
    expect(root.querySelector('a .mention, code .mention')).toBeNull();
    expect(parse(renderMarkdown('@Ana')).querySelector('.mention')).toBeNull();
  });
});

describe('highlightCode', () => {
  it('highlights a known language', () => {
    const root = parse(highlightCode('const a = "<b>";', 'javascript'));
    expect(root.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(root.textContent).toBe('const a = "<b>";');
  });

  it('highlights html through the xml grammar', () => {
    expect(parse(highlightCode('<b onclick="x()">hi</b>', 'html')).querySelector('.hljs-tag')).not.toBeNull();
  });

  it('escapes unknown and missing languages', () => {
    for (const lang of [null, 'cobol', '']) {
      const html = highlightCode('<script>alert(1)</script>', lang);
      expect(html).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('knows every language the composer offers', () => {
    for (const { id } of CODE_LANGUAGES) {
      const html = highlightCode('x', id);
      expect(parse(html).textContent, id).toBe('x');
    }
    expect(CODE_LANGUAGES.map((l) => l.id)).toContain('cpp');
  });
});
