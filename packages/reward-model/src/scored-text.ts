/**
 * What of a response a reward model reads. DeepSeek-R1 §2.3.4: helpfulness is judged on the final summary only, "to
 * minimize interference with the underlying reasoning process", harmlessness on the whole response.
 * - `summary`: the text after the last `</think>`. A response that opens `<think>` and never closes it has no
 *   summary (''); one with no think tags at all is all summary.
 * - `full`: the whole response.
 * The model sees `prompt + scored text`; pure strings, no tokenizer.
 */

export type ScoreMode = 'summary' | 'full';
export const SCORE_MODES: readonly ScoreMode[] = ['summary', 'full'];

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';

/** The final summary of a response: what follows its last `</think>` (see the file header for the edge cases). */
export function summaryOf(response: string): string {
  const close = response.lastIndexOf(THINK_CLOSE);
  if (close >= 0) return response.slice(close + THINK_CLOSE.length);
  return response.includes(THINK_OPEN) ? '' : response;
}

/** The part of `response` a `mode` reward model reads. */
export function scoredText(response: string, mode: ScoreMode): string {
  switch (mode) {
    case 'summary':
      return summaryOf(response);
    case 'full':
      return response;
    default: {
      const never: never = mode;
      throw new Error(`unknown score mode ${JSON.stringify(never)}; use ${SCORE_MODES.join(' or ')}`);
    }
  }
}

/** Checks a user-given mode. */
export function checkScoreMode(value: unknown, where: string): ScoreMode {
  if (!SCORE_MODES.includes(value as ScoreMode)) {
    throw new Error(
      `${where}: score must be ${SCORE_MODES.map((m) => `'${m}'`).join(' or ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as ScoreMode;
}
