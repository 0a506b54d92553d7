/**
 * Prompt text for an RL stage's template, and the completion format its rewards and metrics read:
 * 'r1-zero' → the Table 1 prompt, `<think>…</think> <answer>…</answer>`; 'r1' → "User: … Assistant:", the readable
 * `<think>…</think> summary`; 'chat' → the checkpoint's own chat template with `<think>\n` forced (R1-Distill), the
 * completion starting inside the reasoning. The GRPO loop needs text (it tokenises the prompt to train on it), so
 * chat messages are rendered here rather than by the engine.
 */
import type { Tokenizer } from '@r1/model';
import { type CompletionFormat, createChatRenderer, parseTokenizerConfig, renderR1Zero } from '@r1/templates';
import type { TrainTemplate } from '../trainer-config';

export interface PromptTemplate {
  render: (item: { prompt: string }) => { prompt: string };
  format: CompletionFormat;
}

export function promptTemplate(template: TrainTemplate, tokenizer: Tokenizer, source: string): PromptTemplate {
  switch (template) {
    case 'r1-zero':
      return { render: (item) => ({ prompt: renderR1Zero(item.prompt) }), format: 'r1-zero' };
    case 'r1':
      return { render: (item) => ({ prompt: `User: ${item.prompt}\nAssistant:` }), format: 'r1' };
    case 'chat': {
      if (tokenizer.chatTemplate === undefined) {
        throw new Error(
          `template: chat — ${source} has no chat template (tokenizer_config.json chat_template); use r1-zero or r1`,
        );
      }
      const config = parseTokenizerConfig(
        JSON.stringify({ ...tokenizer.files.tokenizerConfig, chat_template: tokenizer.chatTemplate }),
        `${source}/tokenizer_config.json`,
      );
      const renderChat = createChatRenderer(config, { addGenerationPrompt: true, forceThink: true });
      return { render: (item) => ({ prompt: renderChat([{ role: 'user', content: item.prompt }]) }), format: 'think' };
    }
    default: {
      const never: never = template;
      throw new TypeError(`unknown template ${String(never)}`);
    }
  }
}
