import { afterEach, describe, expect, test } from 'vitest';
import { codeReward } from './code-reward';
import { Pool } from './pool';
import { ensureBubblewrap, leftoverCgroups } from './test-utils/ensure-sandbox';

ensureBubblewrap();
afterEach(() => expect(leftoverCgroups()).toEqual([]));

const sample = { meta: { tests: { inputs: ['1 2\n', '2 2\n'], outputs: ['3\n', '4\n'] } } };
const answer = (code: string) => `<think>\n\`\`\`python\nprint(0)\n\`\`\`\n</think>\n\`\`\`python\n${code}\n\`\`\``;
const reward = codeReward({ timeoutSeconds: 3, pool: new Pool(2) });

describe('codeReward', () => {
  test('pass rate of the code after </think>; binary on request', async () => {
    expect(await reward(answer('a, b = map(int, input().split())\nprint(a + b)'), sample)).toBe(1);
    expect(await reward(answer('print(3)'), sample)).toBe(0.5);
    expect(await codeReward({ reward: 'binary', pool: new Pool(2) })(answer('print(3)'), sample)).toBe(0);
  });

  test('no code gives 0; no tests or a broken sandbox give null, never a throw', async () => {
    expect(await reward('the answer is 3', sample)).toBe(0);
    expect(await reward(answer('print(3)'), { meta: {} })).toBeNull();
    expect(await reward(answer('print(3)'), {})).toBeNull();
    const broken = codeReward({ sandbox: { host: { version: 2, root: '/nonexistent-cgroup' } } });
    expect(await broken(answer('print(3)'), sample)).toBeNull();
  });

  test('many at once (a batch scored concurrently)', async () => {
    const got = await Promise.all(Array.from({ length: 6 }, (_, i) => reward(answer(`print(${i})`), sample)));
    expect(got).toEqual([0, 0, 0, 0.5, 0.5, 0]);
  });
});
