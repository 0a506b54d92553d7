/**
 * Test helpers: a tiny random checkpoint on disk (char tokenizer over printable ASCII, with a chat template), and
 * how to spawn the r1-eval and r1-serve executables from sources with tsx.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCharTokenizer, createModel, saveModel } from '@r1/model';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI = join(ROOT, 'apps/evaluator/src/cli.ts');

const CHAT =
  '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}' +
  '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

/** Printable ASCII and newline: every arithmetic prompt encodes without unknown tokens. */
const ALPHABET = `${Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('')}\n`;

/** Saves a 1-layer, 32-wide random model (context 256) and returns its directory. Deterministic per seed. */
export async function tinyCheckpoint(seed = 3, withChatTemplate = true): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'r1-eval-ckpt-')), 'tiny');
  const tokenizer = buildCharTokenizer(
    ALPHABET,
    ['<|im_start|>', '<|im_end|>'],
    withChatTemplate ? { chatTemplate: CHAT } : {},
  );
  const vocab = Object.keys((tokenizer.tokenizerJson as { model: { vocab: object } }).model.vocab).length;
  const model = createModel(
    {
      model_type: 'qwen2',
      vocab_size: vocab,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 2,
      max_position_embeddings: 256,
    } as never,
    { seed },
  );
  await saveModel(dir, model, { tokenizer });
  model.dispose();
  return dir;
}

/** Spawns `node --import tsx <file> …args` from the repository root (one process: SIGKILL reaches it directly). */
export function spawnTs(file: string, args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}

/** Runs r1-eval to completion; resolves with its exit code and output. */
export function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnTs(CLI, args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
