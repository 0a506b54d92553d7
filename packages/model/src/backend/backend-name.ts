/**
 * The names of the engines `initBackend` can pick, and how each maps onto a tfjs backend.
 * This module only names and parses; loading lives in `init-backend.ts`.
 */

/**
 * - `node-gpu`: `@tensorflow/tfjs-node-gpu` (libtensorflow with CUDA). Optional peer dependency.
 * - `node`: `@tensorflow/tfjs-node` (libtensorflow on the CPU). Optional peer dependency.
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD, threads) plus our kernel pack. Always installed.
 * - `cpu`: tfjs's pure-JS kernels. Always works; ~50× slower than `wasm` for matmuls.
 */
export type BackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu';

/** Every name, in the order `initBackend('auto')` tries them. */
export const BACKEND_NAMES: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

/** What `initBackend` accepts: one name, or `auto` for "the first in {@link BACKEND_NAMES} that loads". */
export type BackendPreference = BackendName | 'auto';

/** The name tfjs registers each engine under (`tf.getBackend()` returns it). Both native packages use 'tensorflow'. */
export function tfjsBackendName(name: BackendName): 'tensorflow' | 'wasm' | 'cpu' {
  switch (name) {
    case 'node-gpu':
    case 'node':
      return 'tensorflow';
    case 'wasm':
      return 'wasm';
    case 'cpu':
      return 'cpu';
    default: {
      const never: never = name;
      throw new Error(`unknown backend name ${String(never)}`);
    }
  }
}

/**
 * Parses a preference from user input (an argument or the `R1_BACKEND` environment variable).
 * `source` names where the value came from, so the error can say what to fix.
 */
export function parseBackendPreference(value: string, source: string): BackendPreference {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || (BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendPreference;
  const hint =
    v === 'tensorflow' || v === 'tfjs-node'
      ? ` (did you mean 'node'?)`
      : v === 'gpu'
        ? ` (did you mean 'node-gpu'?)`
        : '';
  throw new Error(
    `${source}: unknown backend '${value}'${hint}. Use one of: auto, ${BACKEND_NAMES.join(', ')} ` +
      `(e.g. R1_BACKEND=wasm), or unset it to pick automatically.`,
  );
}
