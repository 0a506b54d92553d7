import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

// A program that embeds @r1/model may print JSON on stdout; the library must never write there unless asked.
const index = fileURLToPath(new URL('../index.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'r1-quiet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a script that picks a backend, saves and loads a tiny checkpoint and decodes a few tokens greedily. */
function run(backend: string): { stdout: string; stderr: string; status: number | null } {
  const script = join(dir, `quiet-${backend}.mts`);
  writeFileSync(
    script,
    `
import { buildCharTokenizer, createModel, initBackend, loadModel, saveModel, tf } from ${JSON.stringify(index)};
await initBackend(${JSON.stringify(backend)}, { threads: 1 });
const tokenizer = buildCharTokenizer('abc ', []);
const created = createModel({ model_type: 'qwen2', vocab_size: 8, hidden_size: 16, intermediate_size: 32,
  num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 32 }, { seed: 1 });
await saveModel(${JSON.stringify(join(dir, 'ckpt-'))} + ${JSON.stringify(backend)}, created, { tokenizer });
created.dispose();
const model = await loadModel(${JSON.stringify(join(dir, 'ckpt-'))} + ${JSON.stringify(backend)});
const { cache, logits } = model.prefill(tf.tensor2d([[1, 2, 3]], [1, 3], 'int32'));
let next = tf.argMax(logits, -1).dataSync()[0];
for (let i = 0; i < 4; i++) {
  const out = model.decodeStep(cache, tf.tensor2d([[next]], [1, 1], 'int32'));
  next = tf.argMax(tf.reshape(out, [1, 8]), -1).dataSync()[0];
}
cache.dispose();
model.dispose();
process.exit(0);
`,
  );
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  return { stdout: child.stdout, stderr: child.stderr, status: child.status };
}

describe('nothing is written to stdout unless asked', () => {
  test.each(['wasm', 'cpu'])('initBackend(%j), checkpoint save/load and decoding print only to stderr', (backend) => {
    const { stdout, stderr, status } = run(backend);
    expect(status, stderr).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`\\[r1\\] tfjs backend: ${backend} \\(requested\\)`));
  });
});
