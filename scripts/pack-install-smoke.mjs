// Runs inside the temporary npm project of scripts/pack-install.test.ts, with only the packed tarballs installed:
// imports every entry point, verifies an answer, property-tests accuracyReward with @r1/rewards/testing, and
// generates a few tokens from the demo checkpoint. Writes its findings as JSON to the file named by argv[2]
// (stdout is not used: @r1/model reports the backend there).
import { writeFileSync } from 'node:fs';

const [, , outFile, entriesJson, checkpoint] = process.argv;
const entries = JSON.parse(entriesJson);
const result = { imported: {}, errors: [] };
const step = async (name, fn) => {
  try {
    result[name] = await fn();
  } catch (e) {
    result.errors.push(`${name}: ${e?.stack ?? e}`);
  }
};

for (const entry of entries) {
  await step(`import ${entry}`, async () => {
    result.imported[entry] = Object.keys(await import(entry)).length;
    return true;
  });
}

await step('mathVerify', async () => {
  const { mathVerify } = await import('@r1/rewards');
  return [
    mathVerify('\\frac{1}{2}', 'so the answer is $\\boxed{0.5}$.').correct,
    mathVerify('18', '<answer>17</answer>').correct,
  ];
});

await step('checkRewardLaws', async () => {
  const fc = (await import('fast-check')).default;
  // The repo's seeding: random locally, one fixed seed under CI (scripts/vitest-setup.ts).
  const seed = process.env.FC_SEED ?? (process.env.CI ? '20261122' : undefined);
  if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
  const { accuracyReward } = await import('@r1/rewards');
  const { ACCURACY_LAWS, checkRewardLaws } = await import('@r1/rewards/testing');
  const broken = checkRewardLaws((c, s) => (c.includes(s.answer ?? '') ? 1 : 0), { laws: ['correct-beats-wrong'] });
  const report = checkRewardLaws(accuracyReward, { laws: ACCURACY_LAWS, numRuns: 50 });
  return { ok: report.ok, failures: report.failures.map((f) => f.message), brokenCaught: !broken.ok };
});

await step('generate', async () => {
  const { initBackend } = await import('@r1/model');
  const { createSampler, engineFromCheckpoint } = await import('@r1/sampler');
  const backend = await initBackend();
  const { engine } = await engineFromCheckpoint(checkpoint);
  try {
    const [[completion]] = await createSampler(engine).generate([{ prompt: 'User: 2 + 3 = ? Assistant: <think>' }], {
      maxNewTokens: 6,
      temperature: 0,
    });
    return { backend: backend.name, tokens: completion.tokenIds.length, text: completion.text };
  } finally {
    await engine.close?.();
  }
});

writeFileSync(outFile, JSON.stringify(result, null, 2));
process.exit(0);
