import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_PRETRAIN_OPTIONS, pretrain } from './pretrain';
import { buildCorpus, DEFAULT_CORPUS_OPTIONS } from './world/corpus';

const tiny = (out: string, seed: number) => ({
  ...DEFAULT_PRETRAIN_OPTIONS,
  out,
  seed,
  corpus: { ...DEFAULT_CORPUS_OPTIONS, count: 200 },
  vocabSize: 160,
  model: {
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    max_position_embeddings: 512,
  },
  sft: { steps: 3, batchSize: 8, learningRate: 3e-3, warmupSteps: 1, weightDecay: 0.01 },
});

describe('r1-train pretrain', () => {
  test('is reproducible from its seed: same seed → byte-identical checkpoint, other seed → different weights', async () => {
    const root = mkdtempSync(join(tmpdir(), 'r1-pretrain-'));
    const runs = [];
    for (const [name, seed] of [
      ['a', 1],
      ['b', 1],
      ['c', 2],
    ] as const) {
      const r = await pretrain(tiny(join(root, name), seed), () => {});
      expect(r.history).toHaveLength(3);
      expect(r.history.every((h) => Number.isFinite(h.loss))).toBe(true);
      r.model.dispose();
      runs.push(readFileSync(join(root, name, 'model.safetensors')));
    }
    expect(runs[0]!.equals(runs[1]!)).toBe(true);
    expect(runs[0]!.equals(runs[2]!)).toBe(false);
    // The recorded options hold no absolute path (the checkpoint may be moved or committed).
    expect(readFileSync(join(root, 'a', 'pretrain_options.json'), 'utf8')).not.toContain(root);
    expect(JSON.parse(readFileSync(join(root, 'a', 'pretrain_options.json'), 'utf8')).out).toBe('.');
    expect(readFileSync(join(root, 'a', 'tokenizer.json'), 'utf8')).toBe(
      readFileSync(join(root, 'b', 'tokenizer.json'), 'utf8'),
    );
  });

  test('the corpus mixes guesses, worked solutions and practice in the configured shares', () => {
    const docs = buildCorpus({ ...DEFAULT_CORPUS_OPTIONS, count: 2000 });
    const share = (style: string) => docs.filter((d) => d.style === style).length / 2000;
    expect(share('practice')).toBe(1);
    expect(share('worked')).toBeCloseTo(0.3, 1);
    expect(share('guess')).toBeCloseTo(0.7, 1);
    const worked = docs.filter((d) => d.style === 'worked');
    expect(worked.filter((d) => d.correct).length / worked.length).toBeCloseTo(0.85, 1);
    for (const d of docs.filter((x) => x.style !== 'practice')) {
      expect(d.prompt.endsWith('. Assistant:')).toBe(true);
      expect(d.completion).toMatch(/^ <think> [^<]*<\/think> <answer> -?\d+ <\/answer>$/);
    }
  });
});
