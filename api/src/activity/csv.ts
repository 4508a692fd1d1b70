/**
 * CSV (RFC 4180) for exports that a spreadsheet opens: every cell quoted when it holds a comma, a quote or a line
 * break (quotes doubled), lines ended by CRLF, and formula injection defused: a cell starting with = + - @ (or a tab
 * or carriage return, which some spreadsheets skip before reading a formula) gets a leading apostrophe, so
 * `=HYPERLINK(...)` typed into a title is shown, never run.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
