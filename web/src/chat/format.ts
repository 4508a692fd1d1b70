/** Small display helpers for chat. Pure. */

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => [...part][0]?.toUpperCase() ?? '')
    .join('');
}

/** "14:05" today, "Mon 14:05" this week, else a short date and time. */
export function messageTime(iso: string, now = Date.now()): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const days = (now - d.getTime()) / 86_400_000;
  if (new Date(now).toDateString() === d.toDateString()) return time;
  if (days < 6) return `${d.toLocaleDateString(undefined, { weekday: 'short' })} ${time}`;
  return `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${time}`;
}

/** Splits a search snippet on its match markers (U+E000 … U+E001) into plain parts to render as text. */
export function snippetParts(snippet: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  const re = /\uE000([^\uE001]*)\uE001/g;
  let last = 0;
  for (let m = re.exec(snippet); m; m = re.exec(snippet)) {
    if (m.index > last) parts.push({ text: snippet.slice(last, m.index), match: false });
    parts.push({ text: m[1] ?? '', match: true });
    last = m.index + m[0].length;
  }
  if (last < snippet.length) parts.push({ text: snippet.slice(last).replace(/[\uE000\uE001]/g, ''), match: false });
  return parts;
}

/** Quick reactions offered on every message. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '🤔', '👀'] as const;

/** Characters left before the limit, shown when close to it. */
export function charsLeft(text: string, max: number): number {
  return max - [...text].length;
}
