import { execFileSync } from 'node:child_process';
import { extractCode } from '@r1/sandbox';
import { describe, expect, test } from 'vitest';
import { buildCodeCorpus, DEFAULT_CODE_CORPUS_OPTIONS } from './code-corpus';

/** What each program prints when Python runs it (null: it does not run), in one python3 process. */
function runInPython(programs: readonly string[]): (string | null)[] {
  const harness = [
    'import sys, io, json, contextlib',
    'out = []',
    'for p in json.load(sys.stdin):',
    '    buf = io.StringIO()',
    '    try:',
    '        with contextlib.redirect_stdout(buf):',
    '            exec(p, {})',
    '        out.append(buf.getvalue().strip())',
    '    except SyntaxError:',
    '        out.append(None)',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', harness], { input: JSON.stringify(programs) }).toString());
}

describe('the code world corpus', () => {
  const docs = buildCodeCorpus({ ...DEFAULT_CODE_CORPUS_OPTIONS, count: 600 });
  const templated = docs.filter((d) => d.style !== 'practice');

  test('every templated answer is one fenced Python program; its label is what Python says', () => {
    expect(templated).toHaveLength(600);
    const programs = templated.map((d) => extractCode(d.completion));
    for (const p of programs) expect(p).toMatch(/^print\(/);
    const expressions = templated.map((d) => d.prompt.match(/prints the value of ([\d +-]+)\./)![1]!);
    const printed = runInPython(programs as string[]);
    const gold = runInPython(expressions.map((e) => `print(${e})`));
    templated.forEach((d, i) => {
      expect(gold[i]).toMatch(/^-?\d+$/);
      expect(d.correct, `${d.completion} for ${expressions[i]}`).toBe(printed[i] === gold[i]);
    });
  });

  test('the shares the demo needs: mostly guesses, mostly wrong; programs mostly right; some do not run', () => {
    const share = (f: (d: (typeof docs)[number]) => boolean, of = templated) => of.filter(f).length / of.length;
    expect(share((d) => d.style === 'program')).toBeCloseTo(0.25, 1);
    expect(share((d) => d.correct)).toBeLessThan(0.45);
    const programs = templated.filter((d) => d.style === 'program');
    expect(share((d) => d.correct, programs)).toBeGreaterThan(0.6);
    expect(programs.some((d) => !d.completion.includes(')\n```'))).toBe(true);
    expect(docs.some((d) => d.prompt.startsWith('>>> print('))).toBe(true);
    expect(buildCodeCorpus({ ...DEFAULT_CODE_CORPUS_OPTIONS, count: 30 })).toEqual(
      buildCodeCorpus({ ...DEFAULT_CODE_CORPUS_OPTIONS, count: 30 }),
    );
  });
});
