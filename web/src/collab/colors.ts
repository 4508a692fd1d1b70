/**
 * Colours of people in a collab document. The server gives everyone their colour (from their user id); this one is
 * only what the editor shows of itself until the server's arrives, and the light shade of any colour for selections.
 */
const PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4d7c0f'] as const;

/** A colour for a name until the server says which is theirs. */
export function userColor(name: string): { color: string; light: string } {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  const color = PALETTE[h % PALETTE.length]!;
  return { color, light: lightShade(color) };
}

/** The colour behind a selection: the colour at 20 % opacity (a #rrggbb colour), else a neutral tint. */
export function lightShade(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}33` : 'rgb(120 120 120 / 20%)';
}
