/**
 * Builds a local engine from a checkpoint directory: the model, its tokenizer, and its chat template (if the
 * tokenizer config has one). Shared by `r1-serve` and the apps that generate from a local `--model DIR`.
 */
import { loadModel, loadTokenizer, type Model, type Tokenizer } from '@r1/model';
import { createChatRenderer, parseTokenizerConfig } from '@r1/templates';
import { createLocalEngine } from '../local/engine';
import type { Engine } from '../types';

export interface LocalCheckpointEngine {
  engine: Engine;
  model: Model;
  tokenizer: Tokenizer;
}

export async function engineFromCheckpoint(
  dir: string,
  options: { maxBatchRows?: number; forceThink?: boolean } = {},
): Promise<LocalCheckpointEngine> {
  const [model, tokenizer] = await Promise.all([loadModel(dir), loadTokenizer(dir)]);
  let renderChat: ((messages: { role: string; content: string }[]) => string) | undefined;
  if (tokenizer.chatTemplate !== undefined) {
    const config = parseTokenizerConfig(
      JSON.stringify({ ...tokenizer.files.tokenizerConfig, chat_template: tokenizer.chatTemplate }),
      `${dir}/tokenizer_config.json`,
    );
    renderChat = createChatRenderer(config, {
      addGenerationPrompt: true,
      forceThink: options.forceThink ?? false,
    }) as typeof renderChat;
  }
  const engine = createLocalEngine({
    model,
    tokenizer,
    modelId: dir,
    ...(renderChat ? { renderChat } : {}),
    ...(options.maxBatchRows !== undefined ? { maxBatchRows: options.maxBatchRows } : {}),
  });
  return { engine: { ...engine, close: () => model.dispose() }, model, tokenizer };
}
