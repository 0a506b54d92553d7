/**
 * Hand-written single-pass tokenizer for LaTeX and plain-text math answers (linear time, no regexes
 * with backtracking). It resolves number formats — thousands separators, decimal commas (plain-text
 * mode only), leading-dot decimals, scientific notation — and reads `\text{…}`-style groups whole.
 * Deliberately not here: deciding what a word means (unit, function, product of variables); the parser does.
 */

export type TokKind = 'num' | 'word' | 'cmd' | 'op' | 'open' | 'close' | 'text' | 'amp' | 'nl' | 'begin' | 'end';

export interface Token {
  t: TokKind;
  v: string;
  /** Whitespace came right before this token. */
  sp: boolean;
}

export interface TokenizeOptions {
  /** Plain-text mode: `1,22` is a decimal comma and `1 000` a thousands group (Math-Verify's expr mode). */
  plain: boolean;
  /** Refuse inputs that produce more tokens than this. */
  maxTokens: number;
}

const TEXT_CMDS = new Set([
  'text',
  'textbf',
  'textit',
  'textrm',
  'texttt',
  'textsf',
  'textnormal',
  'mbox',
  'hbox',
  'emph',
  'textup',
]);
const WORD_CMDS = new Set(['mathrm', 'operatorname', 'mathit', 'mathsf', 'mathtt', 'rm']);
/** Wrappers whose argument is parsed as an ordinary group (`\overline{AB}` → AB). */
const WRAPPER_CMDS = new Set([
  'mathbf',
  'boldsymbol',
  'bm',
  'vec',
  'overline',
  'bar',
  'hat',
  'widehat',
  'tilde',
  'widetilde',
  'overrightarrow',
  'underline',
  'mathbb',
  'mathcal',
  'mathscr',
  'mathfrak',
  'displaystyle',
  'textstyle',
  'boxed',
  'fbox',
  'framebox',
  'color',
  'pmb',
]);
const SKIP_CMDS = new Set([
  'left',
  'right',
  'big',
  'Big',
  'bigg',
  'Bigg',
  'bigl',
  'bigr',
  'Bigl',
  'Bigr',
  'biggl',
  'biggr',
  'limits',
  'nolimits',
  'dots',
  'ldots',
  'cdots',
  'vdots',
  'ddots',
  'quad',
  'qquad',
  'angle',
  'measuredangle',
  'triangle',
  'square',
  'therefore',
  'because',
  'nonumber',
  'notag',
  'hline',
  'cline',
  'mathstrut',
  'strut',
  'centering',
  'displaystyle',
  'phantom',
  'hfill',
  'space',
  'enspace',
  'medspace',
  'thickspace',
  'thinspace',
  'negthinspace',
  'allowbreak',
  'newline',
  'label',
]);
const OP_CMDS: Record<string, string> = {
  le: '≤',
  leq: '≤',
  leqslant: '≤',
  leqq: '≤',
  ge: '≥',
  geq: '≥',
  geqslant: '≥',
  geqq: '≥',
  ne: '≠',
  neq: '≠',
  lt: '<',
  gt: '>',
  approx: '≈',
  simeq: '≈',
  sim: '≈',
  thickapprox: '≈',
  pm: '±',
  mp: '∓',
  cup: '∪',
  cap: '∩',
  in: '∈',
  times: '*',
  cdot: '*',
  ast: '*',
  div: '/',
  colon: ':',
  setminus: '\\',
  mid: '|',
  vert: '|',
  lvert: '|',
  rvert: '|',
  equiv: '=',
  coloneqq: '=',
  to: '→',
  rightarrow: '→',
  Rightarrow: '→',
  implies: '→',
  longrightarrow: '→',
  land: ',',
  wedge: ',',
  lor: 'or',
  vee: 'or',
  backslash: '\\',
};
const OPEN_CMDS: Record<string, string> = { lfloor: 'floor', lceil: 'ceil', langle: '(', lbrace: '\\{', lbrack: '[' };
const CLOSE_CMDS: Record<string, string> = { rfloor: 'floor', rceil: 'ceil', rangle: ')', rbrace: '\\}', rbrack: ']' };

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/** Index just past the brace group that opens at `s[i] === '{'`, or -1 when unbalanced. */
export function skipGroup(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') {
      j++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/** Counts a run of digits starting at i. */
function digitRun(s: string, i: number): number {
  let j = i;
  while (isDigit(s[j])) j++;
  return j - i;
}

/** Reads a number starting at i; returns [normalised literal, end index]. */
function readNumber(s: string, i: number, plain: boolean): [string, number] {
  let j = i;
  let out = '';
  const intLen = digitRun(s, j);
  out += s.slice(j, j + intLen);
  j += intLen;
  // Thousands groups: 1,234,567 (first group 1–3 digits, not a lone leading 0) or plain-mode 1 000.
  if (intLen >= 1 && intLen <= 3 && !(intLen > 1 && out[0] === '0') && out !== '0') {
    let k = j;
    let groups = '';
    for (;;) {
      const sep = s[k];
      const spaceSep = plain && sep === ' ';
      if ((sep === ',' || spaceSep) && digitRun(s, k + 1) === 3) {
        groups += s.slice(k + 1, k + 4);
        k += 4;
        continue;
      }
      break;
    }
    // In LaTeX mode "1,234" is a thousands group unless it continues as a list of 3-digit items (rare).
    if (groups !== '') {
      out += groups;
      j = k;
    }
  }
  if (s[j] === '.' && isDigit(s[j + 1])) {
    const f = digitRun(s, j + 1);
    out += `.${s.slice(j + 1, j + 1 + f)}`;
    j += 1 + f;
  } else if (plain && s[j] === ',' && isDigit(s[j + 1]) && !out.includes('.')) {
    const f = digitRun(s, j + 1);
    if (f !== 3 || out === '0' || intLen > 3) {
      out += `.${s.slice(j + 1, j + 1 + f)}`;
      j += 1 + f;
    }
  }
  // Scientific notation: plain mode always, LaTeX only for decimals written like 1.5e-3.
  if ((s[j] === 'e' || s[j] === 'E') && (plain || out.includes('.'))) {
    let k = j + 1;
    if (s[k] === '+' || s[k] === '-') k++;
    const e = digitRun(s, k);
    if (e > 0 && e <= 6 && !isLetter(s[k + e])) {
      out += `e${s.slice(j + 1, k + e)}`;
      j = k + e;
    }
  }
  return [out, j];
}

/** `<=` → `≤` and the other two-character operators of plain text. */
const TWO_CHAR_OPS: ReadonlyMap<string, string> = new Map([
  ['<=', '≤'],
  ['=<', '≤'],
  ['>=', '≥'],
  ['=>', '≥'],
  ['!=', '≠'],
  ['<>', '≠'],
  ['==', '='],
  ['**', '^'],
  ['+-', '±'],
]);

const TWO_CHAR_FIRST = '<=>!*+';

/** Appends a token; returns the new "whitespace before" flag (false: the next token follows this one). */
function push(toks: Token[], t: TokKind, v: string, sp: boolean): false {
  toks.push({ t, v, sp });
  return false;
}

/** Tokenizes `s`; returns null when the token budget is exceeded. */
export function tokenize(s: string, opts: TokenizeOptions): Token[] | null {
  const toks: Token[] = [];
  let sp = false;
  let i = 0;
  while (i < s.length) {
    if (toks.length > opts.maxTokens) return null;
    const c = s[i] as string;
    const code = s.charCodeAt(i);
    // ' ', '\t', '\n', '\v', '\f', '\r' (9–13), '~', '$'
    if (code === 32 || (code >= 9 && code <= 13) || code === 126 || code === 36) {
      sp = true;
      i++;
      continue;
    }
    if ((code >= 48 && code <= 57) || (c === '.' && isDigit(s[i + 1]))) {
      const [lit, end] = readNumber(s, c === '.' ? i : i, opts.plain);
      sp = push(toks, 'num', c === '.' ? `0${lit}` : lit, sp);
      i = end;
      continue;
    }
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) {
      let j = i;
      while (isLetter(s[j])) j++;
      sp = push(toks, 'word', s.slice(i, j), sp);
      i = j;
      continue;
    }
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '\\') {
        sp = push(toks, 'nl', '\\\\', sp);
        i += 2;
        continue;
      }
      if (!isLetter(n)) {
        if (n === '{') sp = push(toks, 'open', '\\{', sp);
        else if (n === '}') sp = push(toks, 'close', '\\}', sp);
        else if (n === '|') sp = push(toks, 'op', '|', sp);
        else if (n === '%') sp = push(toks, 'op', '%', sp);
        else if (n === '(' || n === ')' || n === '[' || n === ']')
          sp = true; // stray math delimiters
        else if (n !== undefined && n !== ',' && n !== ';' && n !== ':' && n !== '!' && n !== ' ' && n !== '$')
          sp = push(toks, 'op', n, sp);
        else sp = true;
        i += 2;
        continue;
      }
      let j = i + 1;
      while (isLetter(s[j])) j++;
      const name = s.slice(i + 1, j);
      i = j;
      if (name === 'begin' || name === 'end') {
        while (s[i] === ' ') i++;
        if (s[i] === '{') {
          const end = skipGroup(s, i);
          if (end < 0) return null;
          sp = push(toks, name, s.slice(i + 1, end - 1).trim(), sp);
          i = end;
        }
        continue;
      }
      if (TEXT_CMDS.has(name) || WORD_CMDS.has(name)) {
        while (s[i] === ' ') i++;
        if (s[i] !== '{') continue;
        const end = skipGroup(s, i);
        if (end < 0) return null;
        const content = s.slice(i + 1, end - 1).trim();
        i = end;
        if (/^\d+(?:\.\d+)?$/.test(content)) sp = push(toks, 'num', content, sp);
        else if (WORD_CMDS.has(name) && /^[A-Za-z]+$/.test(content)) sp = push(toks, 'word', content, sp);
        else sp = push(toks, 'text', content, sp);
        continue;
      }
      if (SKIP_CMDS.has(name) || WRAPPER_CMDS.has(name)) {
        if (name === 'left' || name === 'right' || name.startsWith('big') || name.startsWith('Big')) {
          if (s[i] === '.') i++;
        }
        if (name === 'color' && s[i] === '{') i = Math.max(i + 1, skipGroup(s, i));
        if (name === 'phantom' && s[i] === '{') i = Math.max(i + 1, skipGroup(s, i));
        sp = true;
        continue;
      }
      const op = OP_CMDS[name];
      if (op !== undefined) {
        if (op === 'or') sp = push(toks, 'word', 'or', sp);
        else sp = push(toks, 'op', op, sp);
        continue;
      }
      const open = OPEN_CMDS[name];
      if (open !== undefined) {
        sp = push(toks, 'open', open, sp);
        continue;
      }
      const close = CLOSE_CMDS[name];
      if (close !== undefined) {
        sp = push(toks, 'close', close, sp);
        continue;
      }
      sp = push(toks, 'cmd', name, sp);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      sp = push(toks, 'open', c, sp);
      i++;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      sp = push(toks, 'close', c, sp);
      i++;
      continue;
    }
    if (c === '&') {
      sp = push(toks, 'amp', '&', sp);
      i++;
      continue;
    }
    const op2 = TWO_CHAR_FIRST.includes(c) ? TWO_CHAR_OPS.get(c + (s[i + 1] ?? '')) : undefined;
    if (op2 !== undefined) {
      sp = push(toks, 'op', op2, sp);
      i += 2;
      continue;
    }
    sp = push(toks, 'op', c, sp);
    i++;
  }
  return toks;
}
