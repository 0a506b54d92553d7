export { PREVIOUS_SUFFIX, recoverInterruptedReplace, writeDirAtomic } from './atomic-dir';
export { type BpeTrainOptions, preTokenize, trainBpeTokenizer } from './bpe-trainer';
export {
  buildCharTokenizer,
  CHAR_EOS_TOKEN,
  CHAR_UNK_TOKEN,
  type CharTokenizerOptions,
  REASONING_TOKENS,
} from './char-tokenizer';
export {
  CONFIG_FILE,
  GENERATION_CONFIG_FILE,
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
  loadCheckpoint,
  readCheckpointConfig,
  readCheckpointExtras,
  type SaveCheckpointInput,
  saveCheckpoint,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  type TokenizerFiles,
} from './checkpoint';
export { type CheckpointWeights, openCheckpointWeights, WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from './checkpoint-files';
export { checkpointTensorShapes, checkTensorShapes, isIgnoredCheckpointTensor } from './checkpoint-layout';
export { bf16BitsToF32, decodeBF16, decodeF16, f16BitsToF32 } from './half-float';
export { type LoadModelOptions, loadModel, saveModel } from './model-io';
export {
  SAFETENSORS_DTYPE_BYTES,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors-header';
export {
  decodeTensorBytes,
  openSafetensors,
  parseSafetensors,
  readSafetensors,
  type SafetensorsFile,
} from './safetensors-read';
export {
  encodeSafetensors,
  type WritableTensor,
  type WritableTensors,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors-write';
export { numElements, type TensorData } from './tensor-data';
export {
  type CreateTokenizerOptions,
  createTokenizer,
  type DecodeOptions,
  type EncodeOptions,
  loadTokenizer,
  type Tokenizer,
} from './tokenizer';
