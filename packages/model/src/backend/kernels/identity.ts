/**
 * `Identity` (`tf.clone`) without a copy. The stock wasm kernel copies the tensor into a new allocation; the tape
 * clones every tensor a gradient function keeps, and gradients pass through clones, so a train step of the reference
 * model made ~130 such copies (~9 ms). Tensor data is never written after a kernel returns it, so, as on the cpu
 * backend, a clone can share its source's data: one more reference, freed when the last user disposes it.
 * Strings go to the stock kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface RefCounting {
  incRef(dataId: object): void;
}

export function identityConfig(stock: KernelFunc): KernelConfig {
  return {
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      if (x.dtype === 'string') return stock(args);
      (args.backend as unknown as RefCounting).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}
