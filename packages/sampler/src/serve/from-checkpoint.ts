/**
 * Engines from a checkpoint directory: the model, its tokenizer, and its chat template (if the tokenizer config has
 * one). `engineFromCheckpoint` gives the batch engine the apps generate with; `loadModelParts` and
 * `servingEngineFromCheckpoint` give r1-serve its continuous-batching engine and what a weight update loads.
 *
 * A tokenizer with more ids than the config's `vocab_size` is refused here, naming the directory, before any engine
 * or weight update uses it; a smaller one is the usual padded vocabulary (`local/padding.ts`).
 */
import { loadModel, loadTokenizer, type Model, type Tokenizer } from '@r1/model';
import { createChatRenderer, parseTokenizerConfig } from '@r1/templates';
import { createContinuousEngine } from '../local/continuous';
import type { ContinuousEngine, ModelParts } from '../local/continuous-types';
import { createLocalEngine } from '../local/engine';
import { paddingIds } from '../local/padding';
import type { ChatMessage, Engine } from '../types';

export interface LocalCheckpointEngine {
  engine: Engine;
  model: Model;
  tokenizer: Tokenizer;
}

function chatRenderer(
  dir: string,
  tokenizer: Tokenizer,
  forceThink: boolean,
): ((messages: ChatMessage[]) => string) | undefined {
  if (tokenizer.chatTemplate === undefined) return undefined;
  const config = parseTokenizerConfig(
    JSON.stringify({ ...tokenizer.files.tokenizerConfig, chat_template: tokenizer.chatTemplate }),
    `${dir}/tokenizer_config.json`,
  );
  const render = createChatRenderer(config, { addGenerationPrompt: true, forceThink });
  return (messages) => render(messages.map((m) => ({ role: m.role, content: m.content })));
}

/** The model and tokenizer of `dir`, refused (the model freed) when the tokenizer does not fit the vocabulary. */
async function loadMatched(dir: string): Promise<{ model: Model; tokenizer: Tokenizer }> {
  const [model, tokenizer] = await Promise.all([loadModel(dir), loadTokenizer(dir)]);
  try {
    paddingIds(model.config.vocab_size, tokenizer.vocabSize, dir);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, tokenizer };
}

export async function engineFromCheckpoint(
  dir: string,
  options: { maxBatchRows?: number; forceThink?: boolean } = {},
): Promise<LocalCheckpointEngine> {
  const { model, tokenizer } = await loadMatched(dir);
  const renderChat = chatRenderer(dir, tokenizer, options.forceThink ?? false);
  const engine = createLocalEngine({
    model,
    tokenizer,
    modelId: dir,
    ...(renderChat ? { renderChat } : {}),
    ...(options.maxBatchRows !== undefined ? { maxBatchRows: options.maxBatchRows } : {}),
  });
  return { engine: { ...engine, close: () => model.dispose() }, model, tokenizer };
}

/** A checkpoint's model, tokenizer and chat template, as the continuous engine takes them (and swaps them). */
export async function loadModelParts(dir: string, options: { forceThink?: boolean } = {}): Promise<ModelParts> {
  const { model, tokenizer } = await loadMatched(dir);
  const renderChat = chatRenderer(dir, tokenizer, options.forceThink ?? false);
  return {
    model,
    tokenizer,
    modelId: dir,
    tokenText: (id) => tokenizer.idToToken(id) ?? '',
    ...(renderChat ? { renderChat } : {}),
  };
}

/**
 * The continuous-batching engine over a checkpoint, for serving. Its `close()` also frees the model in use (after
 * weight updates, that is the last one loaded).
 */
export async function servingEngineFromCheckpoint(
  dir: string,
  options: { maxBatchRows?: number; forceThink?: boolean } = {},
): Promise<ContinuousEngine> {
  const parts = await loadModelParts(dir, options);
  const engine = createContinuousEngine({
    ...parts,
    ...(options.maxBatchRows !== undefined ? { maxBatchRows: options.maxBatchRows } : {}),
  });
  const close = engine.close;
  return Object.assign(engine, {
    async close() {
      await close();
      engine.parts.model.dispose();
    },
  });
}
