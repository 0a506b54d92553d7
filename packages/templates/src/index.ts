export {
  type ChatMessage,
  type ChatRole,
  type ChatTemplateOptions,
  createChatRenderer,
  DEFAULT_CHAT_TEMPLATE_OPTIONS,
  renderChatTemplate,
  resolveChatTemplateOptions,
  selectChatTemplate,
} from './chat-template';
export {
  type CompletionBlock,
  type CompletionProblem,
  type CompletionProblemCode,
  problemMessage,
} from './completion-problems';
export {
  COMPLETION_FORMATS,
  type CompletionFormat,
  type ParseCompletionOptions,
  type ParsedCompletion,
  parseCompletion,
} from './parse-completion';
export {
  DEFAULT_R1_TOKENS,
  R1_PAPER_TOKENS,
  type R1Readable,
  type R1Tokens,
  renderR1Readable,
  resolveR1Tokens,
} from './r1-readable';
export { R1_ZERO_TEMPLATE, renderR1Zero } from './r1-zero';
export { DEFAULT_READABLE_OPTIONS, isReadable, type ReadableOptions } from './readable';
export { scanTags, type TagHit } from './tag-scanner';
export {
  type NamedChatTemplate,
  parseTokenizerConfig,
  SPECIAL_TOKEN_FIELDS,
  type SpecialToken,
  specialTokenText,
  type TokenizerConfig,
} from './tokenizer-config';
