/**
 * Copies text. The Clipboard API where the page may use it (inside an LMS, the frame needs
 * allow="clipboard-write"), else the older copy command on a hidden text area, which frames are allowed.
 */
export async function copyText(text: string, doc: Document = document): Promise<boolean> {
  try {
    await doc.defaultView!.navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Refused or missing: the fallback below.
  }
  const back = doc.activeElement instanceof HTMLElement ? doc.activeElement : null;
  const area = doc.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  doc.body.appendChild(area);
  area.select();
  try {
    return doc.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
    back?.focus();
  }
}
