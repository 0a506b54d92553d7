/**
 * How fast `r1-eval score` checks samples produced elsewhere: 200 problems × 16 completions in R1 style (reasoning,
 * then a boxed answer written in varied forms), verified against the gold and voted for cons@k with the verifier's
 * equivalence. Scoring runs after generation in `r1-eval run` too, so this is its per-sample overhead.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@r1/sampler';
import { median, report, timeIt } from '../../../scripts/bench-lib';
import { scoreFile } from './score';

const PROBLEMS = 200;
const K = 16;
const rng = createRng(7);
const lines: string[] = [];
for (let p = 0; p < PROBLEMS; p++) {
  const n = 1 + Math.floor(rng() * 50);
  const d = 2 + Math.floor(rng() * 9);
  const gold = `\\frac{${n}}{${d}}`;
  const spellings = [`\\frac{${n}}{${d}}`, `${n}/${d}`, `\\dfrac{${n}}{${d}}`, `${(n / d).toFixed(6)}`];
  for (let j = 0; j < K; j++) {
    const right = rng() < 0.6;
    const answer = right ? spellings[j % spellings.length]! : `${n + 1 + j}/${d}`;
    const reasoning = `Let x be the unknown. Then ${d}x = ${n}, so x = ${n}/${d}. Checking: ${d} * ${n}/${d} = ${n}. `;
    lines.push(
      JSON.stringify({
        problem_id: `p${p}`,
        gold,
        completion: `<think>${reasoning.repeat(8)}</think>\nThe answer is $\\boxed{${answer}}$.`,
      }),
    );
  }
}
const dir = mkdtempSync(join(tmpdir(), 'r1-eval-bench-'));
const input = join(dir, 'samples.jsonl');
writeFileSync(input, `${lines.join('\n')}\n`);

const times = await timeIt(() => scoreFile({ input, ks: null }), { warmup: 1, iterations: 5 });
const ms = median(times);
report({
  name: 'evaluator.score',
  value: (PROBLEMS * K) / (ms / 1000),
  unit: 'samples/s',
  problems: PROBLEMS,
  k: K,
  medianMs: Math.round(ms),
});
rmSync(dir, { recursive: true, force: true });
