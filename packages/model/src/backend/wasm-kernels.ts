/**
 * The wasm kernel pack: kernels tfjs-backend-wasm 4.22 lacks or runs slowly, registered for backend 'wasm' by
 * `initBackend` right after the wasm backend has initialised (so the stock kernels' setup has run and a replaced
 * kernel can still delegate to its stock version). Registering twice is a no-op.
 *
 * - `UnsortedSegmentSum` (missing): the gradient of `gather`, i.e. of every embedding lookup.
 * - `BatchMatMul` (slow outside one case): transposed, batched and broadcast operands, on our SIMD gemm and its pool.
 * - `GatherV2` (~10 ms CPU for one embedding lookup): slice copies on the heap.
 * - `Sum` over leading axes (bias and norm gradients): one pass instead of transpose + reduce.
 * - `Identity` (`tf.clone`, which the tape does for every tensor a gradient keeps): shares the data, no copy.
 * - `R1RoutedExperts` / `R1RoutedExpertsGrad` (new): a sparse MoE layer's routed experts, forward and backward, in
 *   place on the heap (`nn/routed-experts.ts` calls them where registered, and composes tfjs ops elsewhere).
 * - `R1AdamW` (new): one AdamW parameter update as one loop (`optim/adamw-update.ts` calls it where registered).
 * - `R1RmsNorm` / `R1RmsNormGrad` (new): RMSNorm as one kernel each way (`nn/rms-norm.ts` calls them where
 *   registered).
 * - `R1SwiGlu` / `R1SwiGluGrad` (new): the SwiGLU activation `silu(g)·u` as one kernel each way (`nn/linear.ts`).
 * - `R1LmHead` / `R1LmHeadGrad` (new): LM head + per-token log p(target) and entropy, forward and backward, in
 *   vocabulary blocks on the heap (`nn/token-stats.ts` calls them where registered).
 * - `R1DecodeAttention` (new): a decode step's attention for one new token per row, RoPE and the in-place KV-cache
 *   write included (`nn/attention.ts` calls it where registered, through `KVCache`).
 * - `R1Attention` / `R1AttentionGrad` (new): a full-sequence attention block's core (RoPE, scores, softmax, values)
 *   as one kernel each way (`nn/attention.ts` calls them where registered, for training and prefill).
 * It does not touch other backends; apart from these, models keep calling plain tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAMW, adamwConfig } from './kernels/adamw';
import { ATTENTION, ATTENTION_GRAD, attentionConfig, attentionGradConfig } from './kernels/attention';
import { batchMatMulConfig } from './kernels/batch-mat-mul';
import { DECODE_ATTENTION, decodeAttentionConfig } from './kernels/decode-attention';
import { gatherV2Config } from './kernels/gather-v2';
import { identityConfig } from './kernels/identity';
import { LM_HEAD, LM_HEAD_GRAD, lmHeadConfig, lmHeadGradConfig } from './kernels/lm-head';
import { RMS_NORM, RMS_NORM_GRAD, rmsNormConfig, rmsNormGradConfig } from './kernels/rms-norm';
import {
  ROUTED_EXPERTS,
  ROUTED_EXPERTS_GRAD,
  routedExpertsConfig,
  routedExpertsGradConfig,
} from './kernels/routed-experts';
import { sumConfig } from './kernels/sum';
import { SWIGLU, SWIGLU_GRAD, swigluConfig, swigluGradConfig } from './kernels/swiglu';
import { unsortedSegmentSumConfig } from './kernels/unsorted-segment-sum';

/** Kernels of the pack, by name. */
export const WASM_KERNEL_PACK = [
  'UnsortedSegmentSum',
  'BatchMatMul',
  'Identity',
  'GatherV2',
  'Sum',
  ROUTED_EXPERTS,
  ROUTED_EXPERTS_GRAD,
  ADAMW,
  LM_HEAD,
  LM_HEAD_GRAD,
  RMS_NORM,
  RMS_NORM_GRAD,
  SWIGLU,
  SWIGLU_GRAD,
  DECODE_ATTENTION,
  ATTENTION,
  ATTENTION_GRAD,
] as const;

const installed = new Set<tf.KernelFunc>();

/** Replaces `name`'s wasm kernel with `make(stock)`, where `stock` is the kernel being replaced (for fallbacks). */
function replace(name: string, make: (stock: tf.KernelFunc) => tf.KernelConfig): void {
  const current = tf.getKernel(name, 'wasm');
  if (current === undefined) {
    throw new Error(`registerWasmKernelPack: no stock wasm ${name} kernel; import @tensorflow/tfjs-backend-wasm first`);
  }
  if (installed.has(current.kernelFunc)) return;
  // Keep the stock kernel's setup: tfjs runs it each time a wasm backend initialises, which is what binds the stock
  // function (our fallback) to the new Emscripten module after disposeBackend() and a fresh initBackend().
  const config: tf.KernelConfig = {
    ...make(current.kernelFunc),
    ...(current.setupFunc ? { setupFunc: current.setupFunc } : {}),
    ...(current.disposeFunc ? { disposeFunc: current.disposeFunc } : {}),
  };
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(config);
  installed.add(config.kernelFunc);
}

/** Registers the pack for backend 'wasm'. Idempotent. */
export function registerWasmKernelPack(): void {
  replace('BatchMatMul', batchMatMulConfig);
  replace('Sum', sumConfig);
  replace('Identity', identityConfig);
  if (!installed.has(tf.getKernel('GatherV2', 'wasm')?.kernelFunc as tf.KernelFunc)) {
    tf.unregisterKernel('GatherV2', 'wasm');
    tf.registerKernel(gatherV2Config);
    installed.add(gatherV2Config.kernelFunc);
  }
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') === undefined) tf.registerKernel(unsortedSegmentSumConfig);
  for (const config of [
    routedExpertsConfig,
    routedExpertsGradConfig,
    adamwConfig,
    lmHeadConfig,
    lmHeadGradConfig,
    rmsNormConfig,
    rmsNormGradConfig,
    swigluConfig,
    swigluGradConfig,
    decodeAttentionConfig,
    attentionConfig,
    attentionGradConfig,
  ])
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
}
