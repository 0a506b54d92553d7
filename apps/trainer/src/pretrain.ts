/**
 * `r1-train pretrain [--world arith|r1]`: builds a base model from nothing but a seed — the R1-Zero demo's
 * (`base-arith`, world/corpus.ts) or the R1 pipeline's (`base-r1`, world/r1-corpus.ts: mixed-language and unreadable
 * chains of thought, general prompts).
 *
 * 1. A synthetic corpus of arithmetic problems with completions of mixed quality (the world's corpus).
 * 2. A BPE tokenizer trained on that corpus (the ~400-character template becomes a few tokens; digits stay single).
 * 3. A small Qwen2-style model trained from scratch by SFT on the completions (@r1/distill's sftTrain).
 * 4. The checkpoint (HF layout) and a quick measurement of how often the base is right at the evaluation temperature.
 */
import { examplesFromPairs, resolveSFTConfig, type SftStepRecord, sftTrain } from '@r1/distill';
import {
  createModel,
  createTokenizer,
  type Model,
  type ModelConfig,
  saveModel,
  type Tokenizer,
  trainBpeTokenizer,
} from '@r1/model';
import { buildCodeCorpus, type CodeCorpusOptions, DEFAULT_CODE_CORPUS_OPTIONS } from './world/code-corpus';
import { buildCorpus, type CorpusOptions, DEFAULT_CORPUS_OPTIONS } from './world/corpus';
import { CHINESE_CHARACTERS } from './world/languages';
import { buildR1Corpus, DEFAULT_R1_CORPUS_OPTIONS, type R1CorpusOptions } from './world/r1-corpus';

/** The synthetic worlds a base model can be pretrained on. */
export const WORLDS = ['arith', 'r1', 'code'] as const;
export type World = (typeof WORLDS)[number];

export interface PretrainOptions {
  /** Checkpoint directory to write. */
  out: string;
  seed: number;
  /** Which corpus: 'arith' (R1-Zero demo), 'r1' (the R1 pipeline's world) or 'code' (the code demo's). Default 'arith'. */
  world?: World;
  corpus: CorpusOptions | R1CorpusOptions | CodeCorpusOptions;
  /** Target BPE vocabulary size (special tokens and alphabet included). */
  vocabSize: number;
  /** HF config keys of the model (Qwen2 dense; add DeepSeek-V3 MoE keys and model_type 'r1_moe' for MoE). */
  model: {
    hidden_size: number;
    intermediate_size: number;
    num_hidden_layers: number;
    num_attention_heads: number;
    max_position_embeddings: number;
    [key: string]: unknown;
  };
  sft: { steps: number; batchSize: number; learningRate: number; warmupSteps: number; weightDecay: number };
}

export const DEFAULT_PRETRAIN_OPTIONS: PretrainOptions = {
  out: 'apps/trainer/checkpoints/base-arith',
  seed: 0,
  corpus: DEFAULT_CORPUS_OPTIONS,
  vocabSize: 640,
  model: {
    hidden_size: 128,
    intermediate_size: 384,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    max_position_embeddings: 128,
  },
  sft: { steps: 2000, batchSize: 32, learningRate: 3e-3, warmupSteps: 50, weightDecay: 0.01 },
};

/**
 * The R1 pipeline's base (`apps/trainer/checkpoints/base-r1`): the same architecture as base-arith, a larger
 * vocabulary for the words of two languages, and longer context for worked solutions in words.
 */
export const DEFAULT_R1_PRETRAIN_OPTIONS: PretrainOptions = {
  ...DEFAULT_PRETRAIN_OPTIONS,
  out: 'apps/trainer/checkpoints/base-r1',
  world: 'r1',
  corpus: DEFAULT_R1_CORPUS_OPTIONS,
  vocabSize: 800,
};

/**
 * The small student of `r1-train distill-vs-rl` (`apps/trainer/checkpoints/student-r1`): the R1 world's corpus and
 * tokenizer, a fifth of base-r1's parameters (1 layer, width 64).
 */
export const DEFAULT_STUDENT_PRETRAIN_OPTIONS: PretrainOptions = {
  ...DEFAULT_R1_PRETRAIN_OPTIONS,
  out: 'apps/trainer/checkpoints/student-r1',
  model: {
    hidden_size: 64,
    intermediate_size: 192,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    max_position_embeddings: 128,
  },
  sft: { ...DEFAULT_R1_PRETRAIN_OPTIONS.sft, steps: 1500 },
};

/**
 * The code demo's base (`apps/trainer/checkpoints/base-code`, configs/code-demo.yaml): base-arith's architecture on
 * the code world's corpus (world/code-corpus.ts) — arithmetic answered by Python programs, mostly printing a guess.
 */
export const DEFAULT_CODE_PRETRAIN_OPTIONS: PretrainOptions = {
  ...DEFAULT_PRETRAIN_OPTIONS,
  out: 'apps/trainer/checkpoints/base-code',
  world: 'code',
  corpus: DEFAULT_CODE_CORPUS_OPTIONS,
  sft: { ...DEFAULT_PRETRAIN_OPTIONS.sft, steps: 1200 },
};

/** Characters any arithmetic prompt or completion may contain, beyond what the corpus happens to show. */
const BASE_ALPHABET = '0123456789+-*/=()?.,: ';
/** The R1 world adds letters, its Chinese phrases and the chat punctuation. */
const R1_ALPHABET = `${BASE_ALPHABET}!\n${'abcdefghijklmnopqrstuvwxyz'}${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'}${CHINESE_CHARACTERS}`;
/** The code world adds what a Python program and its fence are written with. */
const CODE_ALPHABET = `${BASE_ALPHABET}\n\`>_'"${'abcdefghijklmnopqrstuvwxyz'}${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'}`;

/** The documents of a world's corpus: prompt (no loss) and completion (trained), EOS not included. */
export function worldCorpus(
  world: World,
  corpus: CorpusOptions | R1CorpusOptions | CodeCorpusOptions,
  seed: number,
): { prompt: string; completion: string; style: string; correct: boolean }[] {
  if (world === 'r1') return buildR1Corpus({ ...(corpus as R1CorpusOptions), seed });
  if (world === 'code') return buildCodeCorpus({ ...(corpus as CodeCorpusOptions), seed });
  return buildCorpus({ ...(corpus as CorpusOptions), seed });
}

export interface PretrainResult {
  model: Model;
  tokenizer: Tokenizer;
  config: ModelConfig;
  history: SftStepRecord[];
}

export async function pretrain(
  options: PretrainOptions,
  log: (line: string) => void = console.error,
): Promise<PretrainResult> {
  const world = options.world ?? 'arith';
  const docs = worldCorpus(world, options.corpus, options.seed);
  const worked = docs.filter((d) => d.style === 'worked').length;
  const correct = docs.filter((d) => d.correct).length;
  log(`corpus: ${docs.length} documents, ${worked} worked solutions, ${correct} with the right answer`);

  const texts = docs.map((d) => d.prompt + d.completion);
  const specials = /<think>|<\/think>|<answer>|<\/answer>/g;
  const base = world === 'r1' ? R1_ALPHABET : world === 'code' ? CODE_ALPHABET : BASE_ALPHABET;
  const alphabet = [...new Set(base + texts.join('').replace(specials, ''))].sort().join('');
  const tokenizer = createTokenizer(trainBpeTokenizer(texts, alphabet, { vocabSize: options.vocabSize }));
  const sample = tokenizer.encode(texts[0]!);
  log(
    `tokenizer: ${tokenizer.vocabSize} tokens; first document ${texts[0]!.length} characters → ${sample.length} tokens`,
  );

  const config = {
    model_type: 'qwen2',

    vocab_size: tokenizer.vocabSize,
    num_key_value_heads: options.model.num_attention_heads,
    tie_word_embeddings: true,
    rms_norm_eps: 1e-6,
    rope_theta: 10_000,
    ...options.model,
  } as unknown as ModelConfig;
  const model = createModel(config, { seed: options.seed });
  const eos = tokenizer.eosTokenId;
  const examples = docs.map((d) => ({
    prompt: tokenizer.encode(d.prompt),
    completion: [...tokenizer.encode(d.completion), eos],
  }));
  const longest = Math.max(...examples.map((e) => e.prompt.length + e.completion.length));
  if (longest > options.model.max_position_embeddings) {
    throw new Error(
      `pretrain: a document has ${longest} tokens but max_position_embeddings is ${options.model.max_position_embeddings}`,
    );
  }
  log(
    `model: ${[...model.parameters().values()].reduce((s, v) => s + v.size, 0).toLocaleString()} parameters; training ${options.sft.steps} steps`,
  );
  const started = performance.now();
  // Random batches were drawn with replacement before the move to @r1/distill; now each epoch is a seeded
  // shuffle (HF's Trainer), so a rebuilt base differs in its bytes from the committed one.
  const sftConfig = resolveSFTConfig({
    maxSteps: options.sft.steps,
    perDeviceTrainBatchSize: options.sft.batchSize,
    learningRate: options.sft.learningRate,
    warmupSteps: options.sft.warmupSteps,
    weightDecay: options.sft.weightDecay,
    lrSchedulerType: 'cosine',
    adamBeta2: 0.95,
    maxGradNorm: 1,
    maxLength: options.model.max_position_embeddings,
    saveSteps: 0,
    seed: options.seed,
  });
  const { history } = await sftTrain(model, examplesFromPairs(examples), {
    config: sftConfig,
    padId: eos,
    onStep: (m) => {
      if (m.step % 50 === 0 || m.step === options.sft.steps) {
        const eta = (((performance.now() - started) / m.step) * (options.sft.steps - m.step)) / 1000;
        log(
          `step ${m.step}/${options.sft.steps} loss ${m.loss.toFixed(4)} lr ${m.learningRate.toExponential(2)} ${(1000 * m.seconds).toFixed(0)} ms/step, eta ${eta.toFixed(0)} s`,
        );
      }
    },
  });
  await saveModel(options.out, model, {
    tokenizer: tokenizer.files,
    generationConfig: { eos_token_id: eos, pad_token_id: eos, temperature: 0.6, top_p: 0.95 },
    // Paths are recorded relative to the checkpoint (it may be moved or committed): `out` is the directory itself.
    extraJson: { 'pretrain_options.json': { ...options, out: '.' } },
  });
  log(`saved ${options.out}`);
  return { model, tokenizer, config: model.config, history };
}
