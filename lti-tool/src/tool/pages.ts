/** The few HTML pages the LTI endpoints answer with. Every dynamic value is escaped; scripts carry a CSP nonce. */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON safe to place inside a <script> element. */
const scriptJson = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const STYLE = `body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f5f7fa;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #e4e7eb;border-radius:10px;padding:28px 32px;max-width:520px;margin:16px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:19px;margin:0 0 8px}p{margin:8px 0;color:#3e4c59}code{background:#f0f4f8;padding:1px 6px;border-radius:4px;font-size:13px}`;

export function messagePage(title: string, message: string, code?: string, hint?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main data-testid="lti-message"><h1>${esc(title)}</h1><p>${esc(message)}</p>${code ? `<p>Error code: <code data-testid="lti-error-code">${esc(code)}</code></p>` : ''}${hint ? `<p>${esc(hint)}</p>` : ''}</main></body></html>`;
}

/**
 * The login step's page: it keeps the binding secret in this frame's own storage and, where the platform
 * offers it, in LTI Platform Storage, then goes on to the platform's authorization endpoint. No cookie.
 */
export function loginPage(
  cfg: { authUrl: string; bindKey: string; binding: string; storage: { target: string; origin: string } | null },
  nonce: string,
): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signing in…</title><style>${STYLE}</style></head>
<body><main><h1>Signing in…</h1><p>Connecting to your course.</p></main>
<script type="application/json" id="lti-login">${scriptJson(cfg)}</script>
<script nonce="${nonce}">(function(){
var c=null;try{c=JSON.parse(document.getElementById('lti-login').textContent)}catch(e){}
if(!c||!c.authUrl){document.querySelector('main').innerHTML='<h1>This launch could not be started</h1><p>The sign-in page could not be read. Open the activity again from your course.</p><p>Error code: <code data-testid="lti-error-code">LOGIN_PAGE_INVALID</code></p>';return}
try{sessionStorage.setItem(c.bindKey,c.binding)}catch(e){}
// Where storage is blocked in third-party frames (Chrome with third-party cookies blocked), the frame's own
// name survives the navigations of this frame; the app restores the original name after reading it.
try{var prev=window.name,p=null;try{p=JSON.parse(prev)}catch(e){}if(p&&p.ltBind)prev=p.name||'';window.name=JSON.stringify({ltBind:{key:c.bindKey,value:c.binding},name:prev})}catch(e){}
var done=false;function go(){if(done)return;done=true;location.replace(c.authUrl)}
if(!c.storage){return go()}
// The fallback timer first: whatever fails below (no such frame, a frame that never answers, a message that
// cannot be sent), the page goes on with the frame's own storage within the timeout.
setTimeout(go,1500);
try{
// A frame the platform named but did not put in its page: reading it from a cross-origin parent throws.
var target=window.parent;if(c.storage.target!=='_parent'){try{target=window.parent.frames[c.storage.target]||null}catch(e){target=null}}
if(!target||target===window){return go()}
var id='lt'+Math.random().toString(36).slice(2);
function post(m){try{target.postMessage(m,c.storage.origin)}catch(e){go()}}
window.addEventListener('message',function(ev){
  if(ev.origin!==c.storage.origin||!ev.data||ev.data.message_id!==id)return;
  if(ev.data.subject==='lti.capabilities.response'){
    var ok=(ev.data.supported_messages||[]).some(function(m){return m&&m.subject==='lti.put_data'});
    if(!ok)return go();
    id='lt'+Math.random().toString(36).slice(2);
    post({subject:'lti.put_data',message_id:id,key:c.bindKey,value:c.binding});
  }else if(ev.data.subject==='lti.put_data.response'){go()}
});
post({subject:'lti.capabilities',message_id:id});
}catch(e){go()}
})();</script></body></html>`;
}

/** The end of dynamic registration: tells the platform's registration window to close. */
export function registeredPage(name: string, status: string, nonce: string): string {
  const msg =
    status === 'active'
      ? 'The tool is registered and ready to use.'
      : 'The tool is registered. An administrator of the tool must activate it before the first launch.';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Registered</title><style>${STYLE}</style></head>
<body><main data-testid="lti-registered"><h1>${esc(name)} is registered</h1><p>${esc(msg)}</p><p>You can close this window.</p></main>
<script nonce="${nonce}">(window.opener||window.parent).postMessage({subject:'org.imsglobal.lti.close'},'*');</script></body></html>`;
}
