/**
 * The platform's HTML: the LMS course page (with the tool iframe and the platform side of LTI Platform Storage),
 * the auto-posting forms of the OIDC flow, and the small pages shown inside the tool frame.
 */
import { escapeHtml as esc } from './http.js';
import type { Course, LoginInitiation } from './types.js';

/** The iframe hosting the tool; launch forms target it by name. */
const TOOL_FRAME = 'lti-tool-frame';

const BASE_CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2125;background:#f4f5f7;font-size:15px}
a{color:inherit}
.btn{display:block;width:100%;padding:9px 12px;margin-top:8px;border:1px solid #c8ccd0;border-radius:6px;background:#fff;color:#1d2125;text-align:center;text-decoration:none;font:inherit;cursor:pointer}
.btn:hover{background:#eef0f2}
.btn.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.btn.primary:hover{filter:brightness(.93)}
.muted{color:#5f6b76;font-size:13px}
.error{color:#b3261e}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:8px 10px;border-bottom:1px solid #e3e6e9;vertical-align:top}
code{font-size:13px;word-break:break-all}
`;

export interface LmsPageModel {
  home: string;
  siteName: string;
  profileLabel: string;
  accent: string;
  course: Course;
  courses: Course[];
  toolName?: string;
  /** Auto-launch into the tool frame. */
  launch?: LoginInitiation;
  launchLabel?: string;
  /** Another page to open in the tool frame (dynamic registration). */
  frameSrc?: string;
  /** Origins whose Platform Storage messages are answered; undefined when the profile has no Platform Storage. */
  storageOrigins?: string[];
  /** Canvas' hidden Platform Storage frame (`post_message_forwarding`), on its OIDC host. */
  storageFrameSrc?: string;
  notice?: string;
}

export function renderLmsPage(m: LmsPageModel): string {
  const link = (query: Record<string, string>): string => `${m.home}?${new URLSearchParams({ ...query, context: m.course.id })}`;
  const hasTool = m.toolName !== undefined;
  const activities = m.course.activities
    .map(
      (a) => `<li><span class="act-title">${esc(a.title)}</span>
        <span class="act-links"><a href="${esc(link({ as: 'learner', activity: a.resourceLinkId }))}">as student</a> · <a href="${esc(link({ as: 'instructor', activity: a.resourceLinkId }))}">as instructor</a></span></li>`,
    )
    .join('');
  const otherCourses = m.courses
    .filter((c) => c !== m.course)
    .map((c) => `<a href="${esc(`${m.home}?${new URLSearchParams({ context: c.id })}`)}">${esc(c.label)}</a>`)
    .join(' · ');
  const stage = m.launch
    ? m.launch.method === 'GET'
      ? frame(m.launch.href)
      : `${frame('about:blank')}
        <form id="lti-launch" method="post" action="${esc(m.launch.url)}" target="${TOOL_FRAME}" hidden>
          ${hiddenInputs(m.launch.params)}
        </form>
        <script>document.getElementById('lti-launch').submit();</script>`
    : m.frameSrc
      ? frame(m.frameSrc)
      : `<div class="placeholder"><div><strong>No activity open</strong><p class="muted">${
          hasTool ? 'Launch the tool from the course card.' : 'No tool is registered yet: register one with its dynamic registration URL.'
        }</p></div></div>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(m.course.label)}: ${esc(m.course.title)} · ${esc(m.siteName)}</title>
<style>${BASE_CSS}
:root{--accent:${m.accent}}
body{height:100vh;display:flex;flex-direction:column}
header.bar{height:52px;flex:none;display:flex;align-items:center;gap:24px;padding:0 20px;background:var(--accent);color:#fff}
header .brand{font-weight:700;font-size:17px;letter-spacing:.2px;text-decoration:none;white-space:nowrap}
header nav{display:flex;gap:16px;font-size:14px;opacity:.92}
header .who{margin-left:auto;font-size:13px;opacity:.9}
main{flex:1;min-height:0;display:grid;grid-template-columns:320px 1fr}
aside{overflow:auto;padding:20px;border-right:1px solid #dfe3e6;background:#fff}
.card{border:1px solid #dfe3e6;border-radius:10px;overflow:hidden;margin-bottom:20px}
.card .strip{height:56px;background:linear-gradient(135deg,var(--accent),#333a)}
.card .body{padding:14px 16px 16px}
.card .label{font-size:12px;font-weight:600;letter-spacing:.6px;text-transform:uppercase;color:#5f6b76}
.card h1{font-size:19px;margin:4px 0 6px}
aside h2{font-size:13px;text-transform:uppercase;letter-spacing:.6px;color:#5f6b76;margin:22px 0 8px}
aside ul{list-style:none;margin:0;padding:0}
aside li{padding:8px 0;border-bottom:1px solid #eef0f2}
.act-title{display:block;font-weight:500}
.act-links{font-size:13px;color:#5f6b76}
.register{display:flex;gap:6px}
.register input{flex:1;min-width:0;padding:8px;border:1px solid #c8ccd0;border-radius:6px;font:inherit;font-size:13px}
.register .btn{width:auto;margin:0}
.stage{position:relative;min-height:0;background:#fff}
.stage iframe{position:absolute;inset:0;width:100%;height:100%;border:0}
.placeholder{height:100%;display:flex;align-items:center;justify-content:center;text-align:center;color:#5f6b76}
.notice{background:#fff4e5;border:1px solid #f3c98b;border-radius:6px;padding:8px 10px;font-size:13px;margin-bottom:14px}
/* A phone, as an LMS's mobile theme shows it: the course page, or the open activity full width (the site name leads back). */
@media (max-width:720px){
header.bar{gap:12px;padding:0 12px}
header nav{display:none}
header .who{min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
main{grid-template-columns:1fr}
aside{border-right:0}
main.open aside,main:not(.open) .stage{display:none}
}
</style></head>
<body>
<header class="bar"><a class="brand" href="${esc(link({}))}">${esc(m.siteName)}</a><nav><span>Dashboard</span><span>Courses</span><span>Calendar</span></nav>
<div class="who">${esc(m.profileLabel)} · simulated${m.launchLabel ? ` · ${esc(m.launchLabel)}` : ''}</div></header>
<main${m.launch || m.frameSrc ? ' class="open"' : ''}>
<aside>
  ${m.notice ? `<div class="notice">${esc(m.notice)}</div>` : ''}
  <div class="card"><div class="strip"></div><div class="body">
    <div class="label">${esc(m.course.label)}</div>
    <h1>${esc(m.course.title)}</h1>
    <div class="muted">${m.course.members.length} members${hasTool ? ` · tool: ${esc(m.toolName!)}` : ''}</div>
    ${
      hasTool
        ? `<a class="btn primary" href="${esc(link({ as: 'instructor' }))}">Launch as instructor</a>
    <a class="btn" href="${esc(link({ as: 'learner' }))}">Launch as student</a>
    <a class="btn" href="${esc(link({ as: 'guest' }))}">Launch as guest</a>
    <a class="btn" href="${esc(link({ as: 'instructor', type: 'deeplinking' }))}">Add activity (deep linking)</a>`
        : ''
    }
  </div></div>
  ${hasTool && activities ? `<h2>Activities</h2><ul>${activities}</ul>` : ''}
  ${otherCourses ? `<h2>Other courses</h2><div class="muted">${otherCourses}</div>` : ''}
  <h2>Register a tool</h2>
  <form class="register" method="get" action="${esc(m.home)}">
    <input type="url" name="register" required placeholder="Tool registration URL" aria-label="Tool registration URL">
    <button class="btn" type="submit">Register</button>
  </form>
  <p class="muted">LTI Dynamic Registration: the tool opens in the frame and closes it when done.</p>
</aside>
<section class="stage">${stage}</section>
</main>
${m.storageFrameSrc ? `<iframe name="post_message_forwarding" title="" src="${esc(m.storageFrameSrc)}" hidden></iframe>` : ''}
<script>${frameScript(m.home, m.storageOrigins)}</script>
</body></html>`;
}

function frame(src: string): string {
  return `<iframe name="${TOOL_FRAME}" title="Tool" src="${esc(src)}" allow="clipboard-write; fullscreen" allowfullscreen></iframe>`;
}

function hiddenInputs(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`)
    .join('\n');
}

/**
 * postMessage handling for the tool frame: `lti.close` (end of dynamic registration) and, where the profile has it,
 * LTI Platform Storage (lti.capabilities, lti.put_data, lti.get_data, also under their older org.imsglobal. names),
 * answered only to the frame we host and only for registered tool origins, with values kept per origin.
 */
function frameScript(home: string, storageOrigins: string[] | undefined): string {
  return `(() => {
  const home = ${JSON.stringify(home)};
  const storageOrigins = ${JSON.stringify(storageOrigins ?? null)};
  const stores = new Map();
  window.addEventListener('message', (event) => {
    const frame = document.querySelector('iframe[name="${TOOL_FRAME}"]');
    if (!frame || event.source !== frame.contentWindow) return;
    let data = event.data;
    if (typeof data === 'string') { try { data = JSON.parse(data); } catch { return; } }
    if (!data || typeof data.subject !== 'string') return;
    const subject = data.subject.replace(/^org\\.imsglobal\\./, '');
    if (subject === 'lti.close') { location.href = home; return; }
    if (!storageOrigins || !storageOrigins.includes(event.origin)) return;
    const reply = (body) => event.source.postMessage(Object.assign({ subject: data.subject + '.response', message_id: data.message_id }, body), event.origin);
    if (subject === 'lti.capabilities') {
      reply({ supported_messages: [{ subject: 'lti.capabilities' }, { subject: 'lti.get_data' }, { subject: 'lti.put_data' }] });
      return;
    }
    if (subject !== 'lti.put_data' && subject !== 'lti.get_data') return;
    if (!data.key) { reply({ error: { code: 'bad_request', message: "Missing required 'key' field" } }); return; }
    if (!data.message_id) { reply({ error: { code: 'bad_request', message: "Missing required 'message_id' field" } }); return; }
    if (!stores.has(event.origin)) stores.set(event.origin, new Map());
    const store = stores.get(event.origin);
    if (subject === 'lti.get_data') { reply({ key: data.key, value: store.get(data.key) }); return; }
    if (data.value === undefined || data.value === null || data.value === '') { store.delete(data.key); reply({ key: data.key }); return; }
    store.set(data.key, String(data.value));
    reply({ key: data.key, value: String(data.value) });
  });
})();`;
}

/**
 * Canvas' `post_message_forwarding` frame: it answers LTI Platform Storage for tool origins (values kept per origin,
 * for as long as the course page stays open). `origins` null: a frame that never answers.
 */
export function renderForwardingFrame(origins: string[] | null): string {
  const script = origins
    ? `(() => {
  const origins = ${JSON.stringify(origins)};
  const stores = new Map();
  window.addEventListener('message', (event) => {
    let data = event.data;
    if (typeof data === 'string') { try { data = JSON.parse(data); } catch { return; } }
    if (!data || typeof data.subject !== 'string' || !origins.includes(event.origin) || !event.source) return;
    const subject = data.subject.replace(/^org\\.imsglobal\\./, '');
    const reply = (body) => event.source.postMessage(Object.assign({ subject: data.subject + '.response', message_id: data.message_id }, body), event.origin);
    if (subject === 'lti.capabilities') { reply({ supported_messages: [{ subject: 'lti.capabilities' }, { subject: 'lti.get_data' }, { subject: 'lti.put_data' }] }); return; }
    if (subject !== 'lti.put_data' && subject !== 'lti.get_data') return;
    if (!data.key) { reply({ error: { code: 'bad_request', message: "Missing required 'key' field" } }); return; }
    if (!stores.has(event.origin)) stores.set(event.origin, new Map());
    const store = stores.get(event.origin);
    if (subject === 'lti.get_data') { reply({ key: data.key, value: store.get(data.key) }); return; }
    store.set(data.key, String(data.value));
    reply({ key: data.key, value: String(data.value) });
  });
})();`
    : '/* this frame never answers */';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>post_message_forwarding</title></head><body><script>${script}</script></body></html>`;
}

/** A page that POSTs fields to `action` as soon as it loads: works in the top window and inside an iframe. */
export function renderAutoPost(action: string, fields: Record<string, string>): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Launching…</title><style>${BASE_CSS}body{padding:24px}</style></head>
<body><p class="muted">Launching the tool…</p>
<form id="lti-auth-response" method="post" action="${esc(action)}" enctype="application/x-www-form-urlencoded">
${hiddenInputs(fields)}
<noscript><button class="btn" type="submit">Continue</button></noscript>
</form>
<script>document.getElementById('lti-auth-response').submit();</script>
</body></html>`;
}

/** A small page for the tool frame (errors, return URL, deep linking results). */
export function renderFramePage(title: string, bodyHtml: string, home: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${BASE_CSS}body{padding:24px;background:#fff}h1{font-size:20px;margin:0 0 12px}</style></head>
<body><h1>${esc(title)}</h1>${bodyHtml}
<p><a href="${esc(home)}" target="_top">Back to the course</a></p></body></html>`;
}

export interface ReceivedItem {
  title: string;
  url?: string;
  lineItem?: { label?: string; scoreMaximum?: number };
}

export function renderDeepLinkResult(items: ReceivedItem[], message: string | undefined, home: string): string {
  const rows = items
    .map(
      (i) =>
        `<tr><td>${esc(i.title)}</td><td><code>${esc(i.url ?? '(tool default)')}</code></td><td>${
          i.lineItem ? `${esc(i.lineItem.label ?? 'graded')} · max ${esc(String(i.lineItem.scoreMaximum ?? ''))}` : '—'
        }</td></tr>`,
    )
    .join('');
  const body = `${message ? `<p>${esc(message)}</p>` : ''}
<p class="muted">${items.length} item(s) received and added to the course.</p>
${items.length ? `<table><thead><tr><th>Title</th><th>URL</th><th>Line item</th></tr></thead><tbody>${rows}</tbody></table>` : ''}`;
  return renderFramePage('Content received from the tool', body, home);
}
