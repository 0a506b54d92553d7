/**
 * `initBackend()`: picks the tfjs engine for this process, once.
 *
 * Order for 'auto': `node-gpu` → `node` → `wasm` → `cpu`, taking the first that loads. The two native packages are
 * optional peer dependencies, imported dynamically inside try/catch, so a machine without them (or where their
 * libtensorflow download failed) just moves on. `R1_BACKEND=<name>` forces one engine and fails loudly if it cannot
 * load; so does passing a name. On wasm it also registers our kernel pack (`wasm-kernels.ts`) and asks for threads;
on every engine it installs the broadcast-safe `BatchMatMul` gradient (`gradients/batch-mat-mul-grad.ts`).
 *
 * Does not: move tensors between engines, or switch engines after the first call (call `disposeBackend()` first).
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, type BackendName, type BackendPreference, parseBackendPreference } from './backend-name';
import { registerBatchMatMulGradient } from './gradients/batch-mat-mul-grad';
import { gemmRelaxedFor } from './kernels/gemm/gemm';
import { gemmThreads, startGemmPool, stopGemmPool } from './kernels/gemm/pool';
import type { WasmBackend, WasmModule } from './wasm-internals';
import { registerWasmKernelPack } from './wasm-kernels';
import { registerWasmBackend, type WasmFlavour } from './wasm-loader';

/** What `initBackend` settled on. */
export interface BackendInfo {
  name: BackendName;
  /** Threads the engine computes with: our gemm pool on wasm, the host's cores for the native engines, 1 on cpu. */
  threads: number;
  /** Whether kernels use SIMD: wasm SIMD on wasm, AVX etc. inside libtensorflow on node/node-gpu, never on cpu. */
  simd: boolean;
}

export interface InitBackendOptions {
  /**
   * Threads for the wasm engine (our gemm pool, calling thread included; XNNPACK's own pool stays at one thread).
   * Default: `R1_WASM_THREADS`, else every core (`os.availableParallelism()`). 1 loads the single-threaded build,
   * which starts no worker threads at all.
   */
  threads?: number;
  /**
   * Where the one-line report goes. Default: stderr (`process.stderr.write`), so a program that prints JSON on stdout
   * is not corrupted by embedding @r1/model. Pass `() => {}` to silence it.
   */
  log?: (line: string) => void;
  /** Environment read for `R1_BACKEND` and `R1_WASM_THREADS`. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

interface InitState {
  promise: Promise<BackendInfo>;
  forcedByEnv: boolean;
}

let state: InitState | undefined;

/**
 * Selects and initialises the tfjs engine. Idempotent: later calls return the first call's result without
 * re-initialising (a later call naming a different engine is an error, unless `R1_BACKEND` forced the choice).
 *
 * @example
 * ```ts
 * import { initBackend, tf } from '@r1/model';
 * const info = await initBackend(); // e.g. { name: 'wasm', threads: 2, simd: true }
 * const y = tf.matMul(a, b);
 * ```
 */
export async function initBackend(
  preference?: BackendPreference,
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  const fromEnv = env.R1_BACKEND !== undefined && env.R1_BACKEND.trim() !== '';
  if (state !== undefined) {
    const info = await state.promise;
    if (preference === undefined || preference === 'auto' || preference === info.name || state.forcedByEnv) return info;
    throw new Error(
      `initBackend('${preference}'): the backend is already initialised as '${info.name}'. ` +
        `Call initBackend once per process, or call disposeBackend() before switching.`,
    );
  }
  const wanted = fromEnv
    ? parseBackendPreference(env.R1_BACKEND!, 'R1_BACKEND')
    : parseBackendPreference(preference ?? 'auto', 'initBackend(preference)');
  const current: InitState = { promise: select(wanted, options, env, fromEnv), forcedByEnv: fromEnv };
  state = current;
  try {
    return await current.promise;
  } catch (e) {
    if (state === current) state = undefined; // a failed init can be retried, e.g. with another name
    throw e;
  }
}

/**
 * Forgets the engine `initBackend` chose so the next call selects afresh. On wasm it also removes the backend
 * (its tensors become invalid and its worker threads are terminated); cpu and the native engines stay registered,
 * because tfjs cannot register them again in the same process. A no-op before `initBackend`.
 */
export async function disposeBackend(): Promise<void> {
  if (state === undefined) return;
  const previous = state;
  state = undefined;
  const info = await previous.promise.catch(() => undefined);
  if (info?.name === 'wasm' && tf.findBackendFactory('wasm') !== null) {
    stopGemmPool(wasmModule());
    tf.removeBackend('wasm');
  }
}

async function select(
  wanted: BackendPreference,
  options: InitBackendOptions,
  env: Readonly<Record<string, string | undefined>>,
  fromEnv: boolean,
): Promise<BackendInfo> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  registerBatchMatMulGradient();
  const candidates = wanted === 'auto' ? BACKEND_NAMES : [wanted];
  const skipped: string[] = [];
  for (const name of candidates) {
    const attempt = await load(name, options, env);
    if (attempt.ok) {
      const why = fromEnv ? ' (forced by R1_BACKEND)' : wanted === 'auto' ? '' : ' (requested)';
      const notes = [...skipped, ...attempt.notes];
      log(
        `[r1] tfjs backend: ${name}${why}, threads ${attempt.info.threads}, simd ${attempt.info.simd ? 'on' : 'off'}` +
          (notes.length > 0 ? ` — ${notes.join('; ')}` : ''),
      );
      return attempt.info;
    }
    skipped.push(`${name} unavailable: ${attempt.reason}`);
    if (wanted !== 'auto') {
      throw new Error(
        `${fromEnv ? `R1_BACKEND=${name}` : `initBackend('${name}')`}: the '${name}' backend could not be loaded: ` +
          `${attempt.reason}. ${HOW_TO_FIX[name]}`,
      );
    }
  }
  throw new Error(`initBackend: no backend could be loaded (${skipped.join('; ')})`);
}

const HOW_TO_FIX: Record<BackendName, string> = {
  'node-gpu':
    'Install it next to @r1/model (`pnpm add @tensorflow/tfjs-node-gpu@4.22.0`; needs CUDA/cuDNN and internet access ' +
    'at install time), or choose another backend (R1_BACKEND=wasm).',
  node:
    'Install it next to @r1/model (`pnpm add @tensorflow/tfjs-node@4.22.0`; its install script downloads ' +
    'libtensorflow), or choose another backend (R1_BACKEND=wasm).',
  wasm: 'Check that @tensorflow/tfjs-backend-wasm 4.22.0 is installed with its .wasm files, or use R1_BACKEND=cpu.',
  cpu: 'The pure-JS backend ships with @tensorflow/tfjs; reinstall dependencies.',
};

type Attempt = { ok: true; info: BackendInfo; notes: string[] } | { ok: false; reason: string };

async function load(
  name: BackendName,
  options: InitBackendOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Attempt> {
  switch (name) {
    case 'node-gpu':
      return loadNative('@tensorflow/tfjs-node-gpu');
    case 'node':
      return loadNative('@tensorflow/tfjs-node');
    case 'wasm':
      return loadWasm(wasmThreads(options, env));
    case 'cpu':
      return (await tf.setBackend('cpu'))
        ? { ok: true, info: { name: 'cpu', threads: 1, simd: false }, notes: [] }
        : { ok: false, reason: "tf.setBackend('cpu') returned false" };
    default: {
      const never: never = name;
      throw new Error(`unknown backend ${String(never)}`);
    }
  }
}

async function loadNative(pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu'): Promise<Attempt> {
  try {
    // A variable specifier: bundlers and vite must not try to resolve an optional peer dependency at build time.
    const specifier: string = pkg;
    await import(/* @vite-ignore */ specifier);
  } catch (e) {
    const message = (e instanceof Error ? e.message.split('\n')[0]! : String(e)).replace(/\.+$/, '');
    const code = (e as { code?: unknown } | null)?.code;
    // Node says "Cannot find package/module" (ERR_MODULE_NOT_FOUND); vite, under vitest, "Could not resolve".
    const missing = code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)|Could not resolve/.test(message);
    return { ok: false, reason: missing ? `${pkg} is not installed` : `importing ${pkg} failed: ${message}` };
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    return {
      ok: false,
      reason: `${pkg} loaded but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs (install the same version, 4.22.0, so they share one tfjs-core)`,
    };
  }
  if (!(await tf.setBackend('tensorflow')))
    return { ok: false, reason: `tf.setBackend('tensorflow') failed after importing ${pkg}` };
  const name: BackendName = pkg === '@tensorflow/tfjs-node-gpu' ? 'node-gpu' : 'node';
  return { ok: true, info: { name, threads: availableParallelism(), simd: true }, notes: [] };
}

function wasmThreads(options: InitBackendOptions, env: Readonly<Record<string, string | undefined>>): number {
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new Error(`initBackend: options.threads must be an integer ≥ 1, got ${options.threads}`);
    }
    return options.threads;
  }
  const raw = env.R1_WASM_THREADS;
  if (raw !== undefined && raw.trim() !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`R1_WASM_THREADS must be an integer ≥ 1, got '${raw}'`);
    return n;
  }
  return availableParallelism();
}

/** The Emscripten module of the registered wasm backend. */
function wasmModule(): WasmModule {
  return (tf.findBackend('wasm') as unknown as WasmBackend).wasm;
}

async function loadWasm(threads: number): Promise<Attempt> {
  const notes: string[] = [];
  let simd = true;
  let flavours: WasmFlavour[];
  try {
    await import('@tensorflow/tfjs-backend-wasm'); // registers the stock kernels and the WASM_HAS_* flags
    simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  } catch (e) {
    return { ok: false, reason: `importing @tensorflow/tfjs-backend-wasm failed: ${String(e)}` };
  }
  if (!simd) {
    flavours = ['plain'];
    if (threads > 1) notes.push('no wasm SIMD in this engine, so no threads either');
  } else flavours = threads > 1 ? ['threaded-simd', 'simd'] : ['simd'];
  for (const flavour of flavours) {
    // XNNPACK's pool stays at one thread: our gemm pool (every matmul) takes the threads. Two pools on 2 cores
    // competed — XNNPACK's workers spin after each op — and measured slower (BENCHMARKS.md, engine section: train
    // step 84–89 ms this way vs 95–99 ms with both pools at 2 threads; decode 13.0–13.8k vs 9.8–10.4k tokens/s).
    // The threaded build is still what gives our pool a shared heap.
    const registered = await registerWasmBackend({ flavour, threads: 1 });
    // setBackend returns false (and only warns) when the factory throws: check it, never land on cpu silently.
    if (await tf.setBackend('wasm')) {
      registered.loaded();
      registerWasmKernelPack();
      let actual = 1;
      if (flavour === 'threaded-simd') {
        try {
          await startGemmPool(wasmModule(), threads);
          actual = gemmThreads(wasmModule());
        } catch (e) {
          notes.push(`our gemm kernels stay on one thread (${String(e)})`);
        }
        if (actual !== threads) notes.push(`asked for ${threads} threads, got ${actual}`);
      }
      if (gemmRelaxedFor(wasmModule())) notes.push('matmul with relaxed-SIMD multiply-adds');
      return { ok: true, info: { name: 'wasm', threads: actual, simd: flavour !== 'plain' }, notes };
    }
    notes.push(`the ${flavour} build failed to load (${registered.error() ?? 'unknown error'}), so falling back`);
  }
  return { ok: false, reason: notes.join('; ') };
}
