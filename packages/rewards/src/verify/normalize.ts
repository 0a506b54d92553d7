/**
 * String-level clean-up of an extracted answer before tokenizing: LaTeX spacing and sizing commands,
 * `\dfrac`/`\tfrac`, degrees, currency, `,\!` thousands separators, doubled backslashes from
 * over-escaped JSON, and unicode math symbols. Every pattern here is a plain alternation or a
 * fixed-width lookaround — linear time on any input.
 * Deliberately not here: anything that needs to understand structure (tokenize.ts / parse.ts).
 */

const UNICODE: Record<string, string> = {
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

const UNICODE_RE = new RegExp(`[${Object.keys(UNICODE).join('')}]`, 'g');

/** `\,` `\;` `\:` `\!` `\ ` → space, leaving `\\` (a LaTeX line break) intact. One pass. */
function dropSpacingCommands(s: string): string {
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

export function normalizeLatex(input: string): string {
  let s = input;
  // "\\frac" (a doubled backslash before a command, from over-escaped text) means "\frac".
  s = s.replace(/(?<!\\)\\\\(?=[a-zA-Z])(?!\\)/g, '\\');
  s = s.replace(UNICODE_RE, (c) => UNICODE[c] ?? c);
  // Thousands separators written with thin spaces: 10,\!080 / 11,\! 111 / 1{,}000.
  s = s.replace(/(\d)\s?,\s?\\!\s?(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(/(\d) ?\{ ?, ?\} ?(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(/(\d) ?\{ ?, ?\} ?(?=\d)/g, '$1.');
  s = s.replace(/(\d)\\[,;:!](?=\d{3}(?!\d))/g, '$1');
  // Degrees.
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree|\^\s*\{\s*\\text\{\s*o\s*\}\s*\}/g, '');
  // Sizing, spacing and display commands.
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\.?/g, ' ');
  s = s.replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)(?![a-zA-Z])/g, ' ');
  s = s.replace(/\\q?quad/g, ' ');
  s = dropSpacingCommands(s);
  s = s.replace(/\\(?:[dtc]frac)(?![a-zA-Z])/g, '\\frac');
  s = s.replace(/\\(?:[dt]binom)(?![a-zA-Z])/g, '\\binom');
  // Currency and percent.
  s = s.replace(/\\\$/g, ' ');
  s = s.replace(/\\%/g, '%');
  // Trailing punctuation.
  s = s.replace(/[\s.,;:]+$/, '');
  return s.trim();
}

/** A whitespace- and wrapper-insensitive form used for the "same string" shortcut. */
export function comparableString(s: string): string {
  return normalizeLatex(s)
    .replace(/\\(?:text|textbf|mathrm|mbox|textnormal|boxed)\{/g, '{')
    .replace(/[\s{}$]/g, '');
}
