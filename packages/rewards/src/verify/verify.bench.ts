/**
 * Verifier benchmarks (names are contracts):
 * - `rewards.verify`: verifications per second, one thread, over the Math-Verify conformance corpus
 *   (277 gold/prediction pairs, many of them long chain-of-thought texts).
 * - `rewards.hostile_max_ms`: the slowest single `mathVerify` call over a fixed set of ~100 KB hostile
 *   inputs generated here deterministically (each used as prediction and as gold). Bar: ≤ 100 ms.
 */
import { readFileSync } from 'node:fs';
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import { fromMathVerifyOptions } from './config';
import { mathVerify, mathVerifyResolved, parseAnswer } from './math-verify';

const CORPUS = new URL('../../../../../shared/data/verifier-cases/math-verify-tests.jsonl', import.meta.url);
const cases = readFileSync(CORPUS, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { kind: string; gold: string | null; pred: string; options: Record<string, unknown> })
  .map((c) => ({ ...c, o: fromMathVerifyOptions(c.options) }));

function runCorpus(): void {
  for (const c of cases) {
    if (c.kind === 'parse_only') parseAnswer(c.pred, c.o);
    else mathVerifyResolved(c.gold ?? '', c.pred, c.o);
  }
}

const times = await timeIt(runCorpus, { warmup: 3, iterations: 15 });
const ms = median(times);
report({
  name: 'rewards.verify',
  value: Math.round((cases.length / ms) * 1000),
  unit: 'verifications/s',
  cases: cases.length,
  medianCorpusMs: Number(ms.toFixed(2)),
});

const SIZE = 100_000;
const fill = (unit: string): string => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
const hostile: Record<string, string> = {
  nestedBraces: `\\boxed{${'{'.repeat(SIZE / 2 - 8)}1${'}'.repeat(SIZE / 2 - 8)}}`,
  nestedParens: `$${'('.repeat(SIZE / 2 - 2)}1${')'.repeat(SIZE / 2 - 2)}$`,
  powerTower: `\\boxed{${fill('5^{').slice(0, SIZE / 2)}5${'}'.repeat(SIZE / 6)}}`,
  hugeExponents: fill('\\boxed{9^{9^{9^{9^9}}}} and '),
  bigPowerAnswer: `The answer is $\\boxed{${'9'.repeat(900)}^{${'9'.repeat(900)}}!}$ ${fill('x ')}`.slice(-SIZE),
  repeatedTags: fill('<answer><think></think>'),
  unclosedAnswerTags: `${fill('<answer>')}</answer>`,
  longDigits: `\\boxed{${'7'.repeat(SIZE - 8)}}`,
  longDecimal: `The answer is 0.${'3'.repeat(SIZE - 20)}`,
  longThousands: `The answer is ${fill('123,')}`,
  unclosedBoxed: fill('\\boxed{'),
  boxedChain: fill('\\boxed{1} and '),
  dollars: fill('$'),
  dollarPairs: fill('$1$ and '),
  displayUnclosed: fill('\\['),
  finalAnswerSpam: fill('final answer is '),
  regexTrapOpenR1: `<think>\n${fill('\n<think>\n')}`,
  fracChain: fill('\\frac{1}{'),
  sqrtChain: fill('\\sqrt[3]{'),
  leftRight: fill('\\left(\\right.'),
  matrixSpam: `\\begin{pmatrix}${fill('1 & ')}\\end{pmatrix}`,
  bigMatrix:
    `\\boxed{\\begin{pmatrix}${Array.from({ length: 40 }, () => Array(40).fill('x^2').join(' & ')).join(' \\\\ ')}\\end{pmatrix}}`.padEnd(
      SIZE,
      ' ',
    ),
  bigSet: `\\boxed{\\{${Array.from({ length: 5000 }, (_, k) => k).join(', ')}\\}}`,
  plusMinusChain: `\\boxed{${fill('1 \\pm ').slice(0, 4000)}1}`,
  backslashes: fill('\\'),
  textSpam: fill('\\text{'),
  mixed: fill('\\boxed{\\frac{5^{5^{5}}}{\\sqrt{x}} \\le [0,1) \\cup $'),
};

// Per input: the median of 3 timed calls (after one warm-up), so a GC pause or a descheduled
// process on a shared machine does not pose as the input's cost; the raw slowest call is reported too.
let worst = 0;
let worstRaw = 0;
let worstName = '';
for (const [name, text] of Object.entries(hostile)) {
  for (const [gold, pred] of [
    ['5', text],
    [text, '5'],
  ] as const) {
    const t = await timeIt(() => mathVerify(gold, pred), { warmup: 1, iterations: 3 });
    worstRaw = Math.max(worstRaw, ...t);
    const dt = median(t);
    if (dt > worst) {
      worst = dt;
      worstName = `${name}${gold === '5' ? ' (prediction)' : ' (gold)'}`;
    }
  }
}
report({
  name: 'rewards.hostile_max_ms',
  value: Number(worst.toFixed(2)),
  unit: 'ms',
  inputs: Object.keys(hostile).length * 2,
  inputChars: SIZE,
  slowest: worstName,
  rawMaxMs: Number(worstRaw.toFixed(2)),
});
