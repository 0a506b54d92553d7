/**
 * Gold-answer extraction from reference solutions: GSM8K's final "#### 1,234" line and the MATH convention of the
 * last \boxed{…} (or \fbox{…}, \framebox{…}) in a solution. Both are single forward scans, linear in the text length,
 * so adversarial input cannot make them slow (no backtracking regular expressions).
 *
 * Deliberately not here: normalising or comparing answers (that is @r1/rewards' verifier) — the gold text comes back
 * as written, except GSM8K's thousands separators.
 */

/**
 * The answer after the last "####" in a GSM8K solution, trimmed, with thousands separators removed
 * ("#### 1,450,000" → "1450000"). Null when there is no "####" or nothing follows it on its line.
 */
export function extractGsm8kAnswer(solution: string): string | null {
  const at = solution.lastIndexOf('####');
  if (at < 0) return null;
  const rest = solution.slice(at + 4);
  const newline = rest.indexOf('\n');
  let answer = (newline < 0 ? rest : rest.slice(0, newline)).trim();
  if (answer.includes(',')) answer = answer.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  return answer === '' ? null : answer;
}

const BOX_MACROS = ['\\boxed', '\\fbox', '\\framebox'];

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** The box macro starting at `i` (followed by a non-letter), or undefined. */
function macroAt(text: string, i: number): string | undefined {
  for (const macro of BOX_MACROS) {
    if (text.startsWith(macro, i) && !isLetter(text.charCodeAt(i + macro.length))) return macro;
  }
  return undefined;
}

/**
 * The content of the last box in `text`: `\boxed{…}`, `\fbox{…}` or `\framebox{…}` with balanced braces, or the
 * old `\boxed 5` form (up to the next `$` or line end). "Last" is by where the box starts, so in nested boxes the
 * inner one wins, as with the usual `rfind("\\boxed")`. Escaped braces (`\{`, `\}`) do not count as grouping. A box
 * that never closes (a truncated solution) is ignored. Null when there is no complete box.
 */
export function extractBoxedAnswer(text: string): string | null {
  let best: string | null = null;
  let bestStart = -1;
  // Boxes whose "{" is open: where their content starts, the brace depth outside them, where the macro began.
  const open: { contentStart: number; depth: number; macroStart: number }[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      const macro = macroAt(text, i);
      if (macro === undefined) {
        i++; // skip the escaped character: \{ \} \\ never group
        continue;
      }
      let j = i + macro.length;
      while (text[j] === ' ') j++;
      if (text[j] === '{') {
        open.push({ contentStart: j + 1, depth, macroStart: i });
        depth++;
        i = j;
      } else if (macro === '\\boxed' && j > i + macro.length && j < text.length) {
        let end = j;
        while (end < text.length && text[end] !== '$' && text[end] !== '\n') end++;
        const content = text.slice(j, end).trim();
        if (content !== '' && i > bestStart) {
          best = content;
          bestStart = i;
        }
        i = end - 1;
      } else {
        i = j - 1;
      }
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      if (depth === 0) continue; // a stray closing brace closes nothing
      depth--;
      const top = open[open.length - 1];
      if (top !== undefined && top.depth === depth) {
        open.pop();
        if (top.macroStart > bestStart) {
          best = text.slice(top.contentStart, i);
          bestStart = top.macroStart;
        }
      }
    }
  }
  return best;
}
