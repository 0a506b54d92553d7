/**
 * Realistic model outputs around real gold answers: the 500 MATH-500 answers and the 1,319 GSM8K
 * answers (../shared/data/benchmarks), each written into several completion styles a model produces
 * (long reasoning then `\boxed{}`, R1 `<think>` + "The answer is", `<answer>` tags, "**Final Answer**"
 * blocks, Minerva's "Final Answer: The final answer is $…$. I hope it is correct.", GSM8K `#### n`,
 * the dataset's own worked solution) and with equivalent re-formattings of the answer (`\dfrac`,
 * dropped `\left`/`\right`, degrees, dollar signs, thousands separators, choice letters without
 * `\text{}`). Wrong variants (one digit changed, or n+1) must be rejected.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { mathVerify } from './math-verify';

const DATA = new URL('../../../../../shared/data/benchmarks/', import.meta.url);

interface Row {
  id: string;
  problem: string;
  answer: string;
  solution: string;
}

function read(name: string): Row[] {
  return readFileSync(new URL(name, DATA), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
}

const THINK = (problem: string): string =>
  `<think>\nOkay, let me work through this carefully. ${problem.slice(0, 300)}\nFirst I compute $3 + 4 = 7$, so $x^2 = 49$ and $x = 7$. Hmm, wait: could it be \\boxed{12345}? No, let me redo that. $\\frac{14}{2} = 7$, fine.\n</think>\n\n`;

const MATH_STYLES: Record<string, (a: string, r: Row) => string> = {
  boxed: (a, r) => `${THINK(r.problem)}Putting it together, the final answer is $\\boxed{${a}}$.`,
  answerIs: (a, r) => `${THINK(r.problem)}Therefore, the answer is $${a}$.`,
  tags: (a, r) => `${THINK(r.problem)}<answer>\n${a}\n</answer>`,
  finalBlock: (a, r) =>
    `Let me solve it step by step. ${r.problem.slice(0, 120)} We find $y = 3$.\n\n**Final Answer**\n\\[\n\\boxed{${a}}\n\\]`,
  minerva: (a) =>
    `Solving, we get $t = 2$ and then the rest follows. Final Answer: The final answer is $${a}$. I hope it is correct.`,
  display: (a) => `Putting everything together we obtain\n\\[ ${a} \\]`,
};

/** Equivalent ways a model may write the same answer. */
function reformat(a: string): string {
  let s = a
    .replace(/\\frac/g, '\\dfrac')
    .replace(/\\left|\\right/g, '')
    .replace(/\^\\circ/g, '^{\\circ}')
    .replace(/\\text\{\((\w)\)\}/g, '$1')
    .replace(/^\\\$/, '')
    .replace(/,\\!\s?/g, ',')
    .replace(/ /g, '');
  if (/^\d{5,}$/.test(s)) s = Number(s).toLocaleString('en-US');
  return s;
}

/** One digit changed: a different answer in the same format (null when the answer has no digit). */
function wrongOf(a: string): string | null {
  const m = /\d/.exec(a);
  if (m === null) return null;
  return a.slice(0, m.index) + String((Number(m[0]) + 1) % 10) + a.slice(m.index + 1);
}

describe('realistic completions around MATH-500 and GSM8K gold answers', () => {
  const math = read('math500.jsonl');
  const gsm = read('gsm8k.jsonl');

  test('MATH-500: gold answers verify inside every completion style, as written and reformatted', () => {
    const misses: string[] = [];
    let total = 0;
    for (const r of math) {
      const check = (pred: string, label: string): void => {
        total++;
        if (!mathVerify(r.answer, pred).correct) misses.push(`${r.id} ${label}`);
      };
      check(r.solution, 'solution');
      for (const [name, style] of Object.entries(MATH_STYLES)) {
        check(style(r.answer, r), name);
        check(style(reformat(r.answer), r), `${name}+reformat`);
      }
    }
    expect(total).toBe(500 * 13);
    expect(misses.length / total, misses.slice(0, 20).join('\n')).toBeLessThanOrEqual(0.01);
  });

  test('MATH-500: a changed digit is rejected in every style', () => {
    const falsePositives: string[] = [];
    let total = 0;
    for (const r of math) {
      const w = wrongOf(r.answer);
      if (w === null) continue;
      for (const [name, style] of Object.entries(MATH_STYLES)) {
        total++;
        if (mathVerify(r.answer, style(w, r)).correct) falsePositives.push(`${r.id} ${name}: ${w}`);
      }
    }
    expect(total).toBeGreaterThan(2500);
    expect(falsePositives.length / total, falsePositives.slice(0, 20).join('\n')).toBeLessThanOrEqual(0.01);
  });

  test('GSM8K: #### solutions, boxed, dollars and plain "the answer is", right and wrong', () => {
    const styles: Record<string, (a: string) => string> = {
      boxed: (a) =>
        `Janet has 16 eggs, eats 3 and bakes 4: 16 - 3 - 4 = 9. She sells them at $2 each.\nThe answer is \\boxed{${Number(a).toLocaleString('en-US')}}.`,
      dollars: (a) =>
        `She makes 9 * 2 = $18 per day, so over the period the total is $${Number(a).toLocaleString('en-US')}.\nThe answer is $${a}.`,
      plain: (a) => `First, 5 + 6 = 11. Then 11 * 2 = 22. So the answer is ${a}.`,
      hash: (a) => `Step 1: 12 / 4 = 3\nStep 2: 3 * 7 = 21\n#### ${a}`,
    };
    const misses: string[] = [];
    let total = 0;
    for (const r of gsm) {
      total++;
      if (!mathVerify(r.answer, r.solution).correct) misses.push(`${r.id} solution`);
      for (const [name, style] of Object.entries(styles)) {
        total += 2;
        if (!mathVerify(r.answer, style(r.answer)).correct) misses.push(`${r.id} ${name}`);
        if (mathVerify(r.answer, style(String(Number(r.answer) + 1))).correct)
          misses.push(`${r.id} ${name} (wrong accepted)`);
      }
    }
    expect(misses.length / total, misses.slice(0, 20).join('\n')).toBeLessThanOrEqual(0.01);
  });
});
