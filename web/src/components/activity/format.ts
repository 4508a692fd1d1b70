/** Times in the viewer's own zone (the browser's), as the activity and audit panels show them. */
const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatWhen = (iso: string): string => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : FORMAT.format(t);
};

/** Saves text as a file (a Blob and a link with `download`; inside an LMS frame this needs allow-downloads). */
export function saveFile(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
