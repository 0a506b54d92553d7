/**
 * Registers tfjs's 'wasm' backend with a loader of our own, so that Node gets what the stock loader denies it:
 *
 * - **Threads.** The stock loader turns multithreading off in Node (it hands Emscripten a `blob:` URL for the pthread
 *   worker script, which Node's `Worker` rejects). We write that script once to a content-addressed file in the OS
 *   temp directory and point Emscripten at it; the worker then loads the main script from the package's own file.
 * - **All cores.** The C side caps its XNNPACK thread pool at `emscripten_num_logical_cores() / 2`, computed once in a
 *   static initialiser. We wrap that one import (Emscripten's `instantiateWasm` hook) so the cap equals the thread
 *   count asked for.
 * - **A process that still exits.** pthreadpool's worker threads block forever waiting for work, and Emscripten
 *   keeps a running pthread's worker referenced. We unref them (and terminate the idle pre-spawned workers), so a
 *   script or test file ends when its work does. `disposeBackend()` terminates them explicitly.
 *
 * If anything in the threaded path fails, the caller falls back to the single-threaded SIMD build (no workers).
 * This module does not choose between backends or register kernels; `init-backend.ts` does.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { WasmModule } from './wasm-internals';

const require = createRequire(import.meta.url);

/** The slice of the WebAssembly JS API we use (the repo's `lib` has no DOM types, where TypeScript declares it). */
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Which Emscripten build runs: threaded SIMD, single-threaded SIMD, or plain (for engines without wasm SIMD). */
export type WasmFlavour = 'threaded-simd' | 'simd' | 'plain';

export interface WasmLoadOptions {
  flavour: WasmFlavour;
  /** XNNPACK threads including the calling thread; ignored (1) unless the flavour is 'threaded-simd'. */
  threads: number;
}

/** What the loaded backend reports about itself. */
export interface WasmLoaded {
  flavour: WasmFlavour;
  threads: number;
}

// biome-ignore lint/suspicious/noExplicitAny: Emscripten factories are untyped.
type EmscriptenFactory = (config: Record<string, unknown>) => Promise<any>;

interface WasmPackage {
  BackendWasm: new (module: WasmModule) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

const PACKAGE = '@tensorflow/tfjs-backend-wasm';

function packageDir(): string {
  // `main` is dist/tf-backend-wasm.node.js; the .wasm binaries sit beside it.
  return dirname(require.resolve(PACKAGE));
}

/** Writes Emscripten's pthread worker script to the temp dir once per content hash; returns its path. */
function workerScriptPath(): string {
  const { wasmWorkerContents } = require(`${PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`) as {
    wasmWorkerContents: string;
  };
  // The stock loader escapes newlines the same way before wrapping the text in a Blob: the template literal it ships
  // has real newlines where the script wants the two characters `\n` inside string literals.
  const script = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'r1-tfjs-wasm');
  const path = join(dir, `worker-${hash}.cjs`);
  try {
    if (readFileSync(path, 'utf8') === script) return path;
  } catch {
    // Not written yet.
  }
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, script);
  renameSync(temp, path); // atomic: concurrent processes never see half a file
  return path;
}

/** Instantiates the Emscripten module of `flavour`, with the core count the C side sees set to `2 × threads`. */
async function instantiate(flavour: WasmFlavour, threads: number): Promise<WasmModule> {
  const dir = packageDir();
  const threaded = flavour === 'threaded-simd';
  const mainScript = require.resolve(
    `${PACKAGE}/wasm-out/${threaded ? 'tfjs-backend-wasm-threaded-simd.js' : 'tfjs-backend-wasm.js'}`,
  );
  const factory = require(mainScript) as EmscriptenFactory;
  const binary = join(dir, `tfjs-backend-wasm${flavour === 'plain' ? '' : `-${flavour}`}.wasm`);
  const worker = threaded ? workerScriptPath() : '';
  // Emscripten never settles its promise when instantiation fails inside `instantiateWasm`; this one does.
  let failInstantiation: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    failInstantiation = reject;
  });
  const created = factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? worker : path.endsWith('.wasm') ? binary : path),
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm: (
      imports: { env: Record<string, unknown> },
      receive: (instance: object, module: object) => void,
    ) => {
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      webAssembly
        .instantiate(readFileSync(binary), imports)
        .then((r) => receive(r.instance, r.module), failInstantiation);
      return {};
    },
    onAbort: (what: unknown) => failInstantiation(new Error(`tfjs wasm module aborted: ${String(what)}`)),
  });
  const module = (await Promise.race([created, failed])) as WasmModule;
  // The same cwrap table the stock `init()` builds (backend_wasm.ts).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/** Releases the pthread workers' hold on the event loop and drops the idle pre-spawned ones. */
function releaseWorkers(module: WasmModule): void {
  const pthread = module.PThread;
  if (pthread === undefined) return;
  for (const w of pthread.runningWorkers) w.unref();
  for (const w of pthread.unusedWorkers.splice(0)) void w.terminate();
}

/** Reports on a registered factory once `tf.setBackend('wasm')` has run it. */
export interface WasmRegistration {
  /** What was loaded, or undefined if the factory has not run or failed. */
  loaded(): WasmLoaded | undefined;
  /** Why the factory failed (tfjs only logs a warning and makes `setBackend` return false). */
  error(): string | undefined;
}

/**
 * Imports tfjs-backend-wasm (which registers its kernels for 'wasm') and replaces its 'wasm' factory with ours.
 * The factory runs on the next `tf.setBackend('wasm')`.
 */
export async function registerWasmBackend(options: WasmLoadOptions): Promise<WasmRegistration> {
  const pkg = (await import(PACKAGE)) as unknown as WasmPackage;
  let loaded: WasmLoaded | undefined;
  let error: string | undefined;
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        const threads = options.flavour !== 'threaded-simd' ? 1 : Math.max(1, Math.floor(options.threads));
        const module = await instantiate(options.flavour, threads);
        pkg.setThreadsCount(threads);
        const backend = new pkg.BackendWasm(module); // calls init_with_threads_count
        releaseWorkers(module);
        loaded = { flavour: options.flavour, threads: pkg.getThreadsCount() };
        return backend;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
        throw e;
      }
    },
    2,
  );
  return { loaded: () => loaded, error: () => error };
}
