/**
 * A seeded fake engine (a seam fake, like nanochat's MockModel): sample j of a request is picked from a fixed menu
 * of completions by hashing (request seed, firstSampleIndex + j), so it depends on the sample, never on the batch —
 * the same contract as the local engine. The menu covers every filter's reason.
 */
import { createRng, deriveSeed, type Engine, type SamplingParams } from '@r1/sampler';

export const MENU = {
  correct: (a: string) => `<think> First add the numbers step by step. </think> <answer> ${a} </answer>`,
  correct2: (a: string) => `<think> Compute it carefully, term by term, then check. </think> <answer> ${a} </answer>`,
  wrong: () => '<think> I guess quickly. </think> <answer> 99999 </answer>',
  mixed: (a: string) => `<think> 先 把 两个 数 相加 then 得到 结果 </think> <answer> ${a} </answer>`,
  code: (a: string) => `<think> Let me code it:\n\`\`\`python\nprint(1)\n\`\`\` </think> <answer> ${a} </answer>`,
  long: (a: string) => `<think> ${'add and carry '.repeat(150)} </think> <answer> ${a} </answer>`,
  noformat: (a: string) => `the answer is ${a}`,
  truncated: () => '<think> add the numbers and then',
} as const;
export type MenuItem = keyof typeof MENU;

export interface FakeEngineOptions {
  /** Gold answer of a prompt (the fake reads it from the prompt text). */
  answerOf: (prompt: string) => string;
  items?: MenuItem[];
  /** Throw after this many generate() calls (a crash mid-run). */
  failAfterCalls?: number;
}

export function createFakeEngine(options: FakeEngineOptions): Engine & { calls: number; samples: number } {
  const items = options.items ?? (Object.keys(MENU) as MenuItem[]);
  const engine = {
    modelId: 'fake-model',
    calls: 0,
    samples: 0,
    async generate(requests: Parameters<Engine['generate']>[0], params: SamplingParams) {
      if (options.failAfterCalls !== undefined && engine.calls >= options.failAfterCalls) {
        throw new Error('fake engine: crashed');
      }
      engine.calls++;
      return requests.map((r) =>
        Array.from({ length: params.n }, (_, j) => {
          engine.samples++;
          const index = (r.firstSampleIndex ?? 0) + j;
          const u = createRng(deriveSeed(r.seed ?? params.seed, index))();
          const item = items[Math.floor(u * items.length)]!;
          const answer = options.answerOf(r.prompt ?? JSON.stringify(r.messages));
          const text = MENU[item](answer);
          return {
            tokenIds: Array.from({ length: Math.ceil(text.length / 4) }, () => 1),
            text,
            logprobs: [],
            finishReason: item === 'truncated' ? ('length' as const) : ('stop' as const),
            promptTokens: 10,
          };
        }),
      );
    },
  };
  return engine;
}
