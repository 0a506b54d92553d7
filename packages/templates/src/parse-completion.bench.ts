/**
 * parseCompletion throughput, and the contrast that motivates the hand scanner: a naive JS port of open-r1's format
 * regex on adversarial text. `pnpm bench --filter parse-completion`.
 */
import { median, report, timeIt } from '../../../scripts/bench-lib';
import { parseCompletion } from './parse-completion';

const MB = 1 << 20;
const realistic = `<think>\n${'Let me compute step by step. 2 + 2 = 4, so the sum is 4.\n'.repeat(MB / 58)}</think>\n<answer>\n4\n</answer>\n`;
const adversarial = '<think><answer></think'.repeat(MB / 22);

for (const [name, text] of [
  ['templates.parse_completion_1mb_realistic', realistic],
  ['templates.parse_completion_1mb_adversarial', adversarial],
] as const) {
  for (const format of ['r1-zero', 'think'] as const) {
    const times = await timeIt(() => parseCompletion(text, format), { warmup: 2, iterations: 7 });
    const ms = median(times);
    report({ name: `${name}_${format}`, value: text.length / MB / (ms / 1000), unit: 'MB/s', ms });
  }
}

// open-r1's pattern with the `m` flag (the port FACTS.md measured) on 8 KB of complete-looking blocks that never
// close the answer: its time grows about as the cube of the length (8 KB ≈ 0.2 s, 16 KB ≈ 1.8 s here); the scanner's
// is linear.
const regex = /^<think>\n.*?\n<\/think>\n<answer>\n.*?\n<\/answer>$/ms;
const hostile = '<think>\n\n</think>\n<answer>\n\n'.repeat(8192 / 28);
const regexMs = median(await timeIt(() => regex.test(hostile), { warmup: 1, iterations: 3 }));
const scanMs = median(await timeIt(() => parseCompletion(hostile, 'r1-zero'), { warmup: 2, iterations: 7 }));
report({ name: 'templates.open_r1_regex_vs_scanner_8kb', value: regexMs / scanMs, unit: '× slower', regexMs, scanMs });
