/**
 * Output comparison, outside the jail. Deliberately strict where the anchors were loose (open-r1 compared lines with
 * `zip`, so printing only the first expected line passed):
 *
 * - stdout against the expected output: line by line after trimming each line's trailing whitespace and dropping
 *   trailing blank lines; the line counts must match. Within a line, whitespace-separated tokens must match; two
 *   tokens that are both decimal numbers are equal as decimals (`0.50` = `0.5`, `-0` = `0`), or within
 *   `floatTolerance` (absolute or relative) when one is given.
 * - call-based results: JSON values, deep; numbers equal numerically (`1` = `1.0`) or within `floatTolerance`;
 *   object keys must match exactly.
 */

export interface CompareOptions {
  /** Absolute-or-relative tolerance for numeric tokens; null: exact decimal equality. Default null. */
  floatTolerance: number | null;
}

/** Lines as compared: trailing whitespace trimmed, trailing blank lines dropped, \r\n = \n. */
export function normalizedLines(text: string): string[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal token in canonical form (sign, digits without leading/trailing zeros, exponent), or null. */
export function canonicalDecimal(token: string): string | null {
  const m = DECIMAL.exec(token);
  if (!m) return null;
  const negative = token.startsWith('-');
  const body = m[1]!;
  const exp = m[2] === undefined ? 0 : Number.parseInt(m[2].slice(1), 10);
  const dot = body.indexOf('.');
  const intPart = dot < 0 ? body : body.slice(0, dot);
  const fracPart = dot < 0 ? '' : body.slice(dot + 1);
  let digits = intPart + fracPart;
  let pointAt = intPart.length + exp; // the decimal point sits after this many digits
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead);
  pointAt -= lead;
  digits = digits.replace(/0+$/, '');
  if (digits === '') return '0';
  return `${negative ? '-' : ''}0.${digits}e${pointAt}`;
}

function numbersClose(a: number, b: number, tolerance: number): boolean {
  if (a === b) return true;
  const diff = Math.abs(a - b);
  return diff <= tolerance || diff <= tolerance * Math.max(Math.abs(a), Math.abs(b));
}

function tokensEqual(got: string, want: string, tolerance: number | null): boolean {
  if (got === want) return true;
  const a = canonicalDecimal(got);
  const b = canonicalDecimal(want);
  if (a === null || b === null) return false;
  if (a === b) return true;
  return tolerance !== null && numbersClose(Number(got), Number(want), tolerance);
}

/** Why stdout does not match, or null when it does. */
export function stdoutMismatch(got: string, want: string, options: CompareOptions): string | null {
  const g = normalizedLines(got);
  const w = normalizedLines(want);
  if (g.length !== w.length) return `${g.length} lines, expected ${w.length}`;
  for (let i = 0; i < w.length; i++) {
    if (g[i] === w[i]) continue;
    const gt = g[i]!.trim().split(/\s+/).filter(Boolean);
    const wt = w[i]!.trim().split(/\s+/).filter(Boolean);
    if (gt.length !== wt.length || gt.some((t, j) => !tokensEqual(t, wt[j]!, options.floatTolerance))) {
      return `line ${i + 1} differs`;
    }
  }
  return null;
}

/** Deep equality of JSON values (see the module comment). */
export function jsonEqual(got: unknown, want: unknown, tolerance: number | null): boolean {
  if (typeof got === 'number' && typeof want === 'number') {
    return got === want || (tolerance !== null && numbersClose(got, want, tolerance));
  }
  if (got === null || want === null || typeof got !== 'object' || typeof want !== 'object') return got === want;
  if (Array.isArray(got) !== Array.isArray(want)) return false;
  if (Array.isArray(got)) {
    const w = want as unknown[];
    return got.length === w.length && got.every((v, i) => jsonEqual(v, w[i], tolerance));
  }
  const g = got as Record<string, unknown>;
  const w = want as Record<string, unknown>;
  const keys = Object.keys(g);
  if (keys.length !== Object.keys(w).length) return false;
  return keys.every((k) => Object.hasOwn(w, k) && jsonEqual(g[k], w[k], tolerance));
}

/**
 * A call-based result against APPS's expected value: equal, or — APPS's own convention, which its data relies on —
 * equal to the only element of an expected one-element list.
 */
export function callResultMatches(got: unknown, want: unknown, tolerance: number | null): boolean {
  if (jsonEqual(got, want, tolerance)) return true;
  return Array.isArray(want) && want.length === 1 && jsonEqual(got, want[0], tolerance);
}
