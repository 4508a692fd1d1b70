/**
 * Hands the signed deep-linking response back to the LMS: an auto-submitted form POST of `JWT`
 * to the platform's return URL, which navigates this frame back into the LMS.
 */

/** Only http(s) URLs: anything else (javascript:, data:) is refused. */
export function isReturnUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The subset of Document this needs, so tests can pass a fake. */
export type FormDocument = Pick<Document, 'createElement' | 'body'>;

export function postToLms(doc: FormDocument, returnUrl: string, jwt: string): void {
  if (!isReturnUrl(returnUrl)) throw new Error('The LMS gave a return address that cannot be used.');
  const form = doc.createElement('form');
  form.method = 'post';
  form.action = returnUrl;
  form.hidden = true;
  const input = doc.createElement('input');
  input.type = 'hidden';
  input.name = 'JWT';
  input.value = jwt;
  form.appendChild(input);
  doc.body.appendChild(form);
  form.submit();
}
