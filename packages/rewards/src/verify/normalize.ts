/**
 * String-level clean-up of an extracted answer before tokenizing: LaTeX spacing and sizing commands,
 * `\dfrac`/`\tfrac`, degrees, currency, `,\!` thousands separators, doubled backslashes from
 * over-escaped JSON, and unicode math symbols. Every pattern here is a plain alternation or a
 * fixed-width lookaround — linear time on any input.
 * Deliberately not here: anything that needs to understand structure (tokenize.ts / parse.ts).
 */

/** Unicode math symbols and their ASCII/LaTeX spellings (exported for tests). */
export const UNICODE: Readonly<Record<string, string>> = {
  '−': '-',
  '–': '-',
  '—': '-',
  '×': '*',
  '·': '*',
  '⋅': '*',
  '÷': '/',
  '√': '\\sqrt',
  π: '\\pi',
  '∞': '\\infty',
  '≤': '≤',
  '⩽': '≤',
  '≥': '≥',
  '⩾': '≥',
  '≠': '≠',
  '∪': '∪',
  '∈': '∈',
  '±': '±',
  '∓': '∓',
  '°': '',
  '\u00a0': ' ',
  '＄': '',
  '€': '',
  '£': '',
  '¥': '',
  '¢': '',
  '₹': '',
  '²': '^2',
  '³': '^3',
  '½': '(1/2)',
  '¼': '(1/4)',
  '¾': '(3/4)',
};

export const UNICODE_RE = new RegExp(`[${Object.keys(UNICODE).join('')}]`, 'g');

/** `\,` `\;` `\:` `\!` `\ ` → space, leaving `\\` (a LaTeX line break) intact. One pass. */
export function dropSpacingCommands(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') continue;
    const n = s[i + 1];
    if (n === '\\') {
      i++;
      continue;
    }
    if (n === ',' || n === ';' || n === ':' || n === '!' || n === ' ') {
      out += `${s.slice(from, i)} `;
      from = i + 2;
      i++;
    }
  }
  return out + s.slice(from);
}

/** Every key of UNICODE is outside ASCII. */
function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true;
  return false;
}

/** `[\s.,;:]`: the characters stripped from the end of an answer (`\s` as JavaScript defines it). */
function isTrailingJunk(c: string): boolean {
  return c === '.' || c === ',' || c === ';' || c === ':' || /\s/.test(c);
}

/**
 * Each rewrite runs only when the current string contains a literal that every match of its pattern contains
 * (a backslash, `{`, `frac`, …), so a plain answer such as `-5` or `x^2+1` skips most passes. The guards only
 * skip passes that could not match, so the result is the same as running every pass.
 */
export function normalizeLatex(input: string): string {
  let s = input;
  // "\\frac" (a doubled backslash before a command, from over-escaped text) means "\frac".
  if (s.includes('\\\\')) s = s.replace(/(?<!\\)\\\\(?=[a-zA-Z])(?!\\)/g, '\\');
  if (hasNonAscii(s)) s = s.replace(UNICODE_RE, (c) => UNICODE[c] ?? c);
  // Thousands separators written with thin spaces: 10,\!080 / 11,\! 111 / 1{,}000.
  if (s.includes('\\!')) s = s.replace(/(\d)\s?,\s?\\!\s?(?=\d{3}(?!\d))/g, '$1');
  if (s.includes('{')) {
    s = s.replace(/(\d) ?\{ ?, ?\} ?(?=\d{3}(?!\d))/g, '$1');
    s = s.replace(/(\d) ?\{ ?, ?\} ?(?=\d)/g, '$1.');
  }
  if (s.includes('\\')) {
    s = s.replace(/(\d)\\[,;:!](?=\d{3}(?!\d))/g, '$1');
    // Degrees.
    if (s.includes('\\circ') || s.includes('\\degree') || s.includes('\\text{'))
      s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree|\^\s*\{\s*\\text\{\s*o\s*\}\s*\}/g, '');
    // Sizing, spacing and display commands.
    if (s.includes('\\left') || s.includes('\\right') || s.includes('\\big') || s.includes('\\Big'))
      s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\.?/g, ' ');
    if (s.includes('style') || s.includes('limits'))
      s = s.replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)(?![a-zA-Z])/g, ' ');
    if (s.includes('quad')) s = s.replace(/\\q?quad/g, ' ');
    s = dropSpacingCommands(s);
    if (s.includes('frac')) s = s.replace(/\\(?:[dtc]frac)(?![a-zA-Z])/g, '\\frac');
    if (s.includes('binom')) s = s.replace(/\\(?:[dt]binom)(?![a-zA-Z])/g, '\\binom');
    // Currency and percent.
    if (s.includes('\\$')) s = s.replace(/\\\$/g, ' ');
    if (s.includes('\\%')) s = s.replace(/\\%/g, '%');
  }
  // Trailing punctuation.
  if (s.length > 0 && isTrailingJunk(s[s.length - 1] as string)) s = s.replace(/[\s.,;:]+$/, '');
  return s.trim();
}

/** A whitespace- and wrapper-insensitive form used for the "same string" shortcut. */
export function comparableString(s: string): string {
  return comparableFromNormalized(normalizeLatex(s));
}

/** `comparableString(s)` given `normalizeLatex(s)` (the parser has it already). */
export function comparableFromNormalized(normalized: string): string {
  let n = normalized;
  if (n.includes('\\')) n = n.replace(/\\(?:text|textbf|mathrm|mbox|textnormal|boxed)\{/g, '{');
  return n.replace(/[\s{}$]/g, '');
}
