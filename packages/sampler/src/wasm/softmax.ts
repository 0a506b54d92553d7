/**
 * `chooseToken`'s passes over a row in wasm SIMD (`softmax-wat.ts`): the maximum, the softmax (probabilities, their
 * sum, the model's log-normaliser sum) and the top-p candidates above a floor — the same numbers as the JS loops, bit
 * for bit, several times faster: the JS softmax's time is almost all `Math.exp` calls (BENCHMARKS.md,
 * `sampler.logits_real_vocab`). Long rows split the softmax's exps over worker threads (`R1_SAMPLER_THREADS`,
 * default: the machine's cores, at most 4); the sums stay sequential in id order on the calling thread, so the result
 * does not depend on the thread count.
 *
 * The module (~4 KB) compiles synchronously on first use, over a shared memory grown to the largest row seen. Where
 * WebAssembly SIMD is missing, or `R1_SAMPLER_WASM=0`, `loadRow` returns null and the caller runs its JS loops.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SOFTMAX_WASM_BASE64 } from './softmax-binary';

interface Exports {
  terms(
    row: number,
    probs: number,
    q: number,
    ids: number,
    ys: number,
    from: number,
    to: number,
    max: number,
    t: number,
    tModel: number,
    maxModel: number,
    wantModel: number,
    accumulate: number,
  ): void;
  sums(probs: number, q: number, totalFrom: number, n: number, wantModel: number): void;
  expMany(input: number, output: number, n: number): void;
  rowMax(row: number, n: number): number;
  atLeast(row: number, n: number, floor: number, ids: number): number;
}

interface Memory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => Memory;
  validate(bytes: Uint8Array): boolean;
}

/** Byte offset of the row; bytes [0, 16) hold the sums. */
const ROW_AT = 16;
const PAGE = 65_536;
/** The memory's maximum (1 GiB), as the module declares it. */
const MAX_PAGES = 16_384;
/** Rows shorter than this run the softmax on the calling thread (a worker's round trip costs ~50 µs). */
export const THREAD_MIN = 16_384;
/** How long the caller waits for a worker before it gives up on threads (a worker that died never answers). */
const WORKER_TIMEOUT_MS = 10_000;

interface Kernel {
  exports: Exports;
  memory: Memory;
  module: object;
  helpers: Helper[] | undefined;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const choice = process.env.R1_SAMPLER_WASM;
  if (choice !== undefined && choice !== '0' && choice !== '1')
    throw new Error(`R1_SAMPLER_WASM must be 0 or 1, got ${JSON.stringify(choice)}`);
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  const bytes = Uint8Array.from(Buffer.from(SOFTMAX_WASM_BASE64, 'base64'));
  if (choice === '0' || api === undefined || !api.validate(bytes)) {
    if (choice === '1') throw new Error('R1_SAMPLER_WASM=1, but this engine has no WebAssembly SIMD and threads');
    kernel = null;
    return kernel;
  }
  const module = new api.Module(bytes);
  const memory = new api.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const exports = new api.Instance(module, { env: { memory } }).exports as Exports;
  kernel = { exports, memory, module, helpers: undefined };
  return kernel;
}

/** `R1_SAMPLER_THREADS` (a positive integer), or the machine's cores up to 4. */
export function samplerThreads(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.R1_SAMPLER_THREADS;
  if (raw === undefined || raw === '') return Math.min(4, Math.max(1, availableParallelism()));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new Error(`R1_SAMPLER_THREADS must be an integer in [1, 64], got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * A worker thread running `terms` on request. Control block: int32 [0] the job number, [1] the last job done; float64
 * from byte 16 the job's arguments. It waits in `Atomics.wait`, so an idle helper costs no CPU; it is unref'd,
 * so it never keeps the process alive.
 */
interface Helper {
  worker: Worker;
  control: Int32Array;
  args: Float64Array;
}

/** `terms`' arguments but the last (a worker never accumulates). */
const ARGS = 12;

const HELPER_SOURCE = `
const ARGS = ${ARGS};
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const { terms } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ints = new Int32Array(control);
const a = new Float64Array(control, 16, ARGS);
let seen = 0;
for (;;) {
  Atomics.wait(ints, 0, seen);
  seen = Atomics.load(ints, 0);
  terms(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], 0);
  Atomics.store(ints, 1, seen);
  Atomics.notify(ints, 1);
}
`;

function helpers(k: Kernel): Helper[] {
  if (k.helpers !== undefined) return k.helpers;
  k.helpers = [];
  for (let i = 1; i < samplerThreads(); i++) {
    const control = new SharedArrayBuffer(16 + ARGS * 8);
    const worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { module: k.module, memory: k.memory, control },
    });
    worker.unref();
    k.helpers.push({ worker, control: new Int32Array(control), args: new Float64Array(control, 16, ARGS) });
  }
  return k.helpers;
}

/** Where the probabilities of an n-token row start (16-byte aligned, after the row); the model terms and ids follow. */
function probsAt(n: number): number {
  return ROW_AT + Math.ceil((n * 4) / 16) * 16;
}

export interface WasmSoftmax {
  /** p_i = exp((row[i] − max) / t), float64 — a view of the kernel's memory, valid until the next row. */
  probs: Float64Array;
  total: number;
  /** Σ exp(row[i] / tModel − maxModel) when asked for, else 0. */
  modelSum: number;
}

/**
 * One row loaded into the kernel's memory, and the passes `chooseToken` runs over it. Valid until the next
 * `loadRow` (one row at a time: `chooseToken` runs to completion without calling out).
 */
export class WasmRow {
  readonly #k: Kernel;
  readonly #n: number;
  readonly #probsAt: number;
  readonly #termsAt: number;
  readonly #idsAt: number;
  readonly #ysAt: number;

  constructor(k: Kernel, row: Float32Array) {
    const n = row.length;
    this.#k = k;
    this.#n = n;
    this.#probsAt = probsAt(n);
    this.#termsAt = this.#probsAt + n * 8;
    this.#ysAt = this.#termsAt + n * 8;
    this.#idsAt = this.#ysAt + n * 8;
    const need = this.#idsAt + n * 4;
    const have = k.memory.buffer.byteLength;
    if (need > MAX_PAGES * PAGE) throw new RangeError(`chooseToken: a row of ${n} logits is too long for the kernel`);
    if (have < need) k.memory.grow(Math.ceil((need - have) / PAGE));
    new Float32Array(k.memory.buffer, ROW_AT, n).set(row);
  }

  /** The largest non-NaN logit (-Infinity if none) and whether any is NaN — the JS max pass's answer. */
  max(): { max: number; nan: boolean } {
    const max = this.#k.exports.rowMax(ROW_AT, this.#n);
    return { max, nan: new Int32Array(this.#k.memory.buffer, 0, 1)[0] !== 0 };
  }

  /**
   * p_i = exp((row[i] − max) / t), Σ p_i and (with `wantModel`) Σ exp(row[i] / tModel − maxModel), in id order:
   * what `chooseToken`'s JS loop computes, bit for bit, whatever the thread count. `probs` is a view of the kernel's
   * memory.
   */
  softmax(max: number, t: number, tModel: number, maxModel: number, wantModel: boolean): WasmSoftmax {
    const k = this.#k;
    const n = this.#n;
    const want = wantModel ? 1 : 0;
    const team = n >= THREAD_MIN ? helpers(k) : [];
    new Float64Array(k.memory.buffer, 0, 2).fill(0);
    // Equal shares (measured: a smaller one for the caller, who also sums, was slower). Even boundaries: `terms`
    // takes pairs from `from`. The caller sums its own share's probabilities as it goes.
    const part = Math.min(n, Math.ceil(n / (team.length + 1) / 2) * 2);
    const at = [ROW_AT, this.#probsAt, this.#termsAt, this.#idsAt, this.#ysAt] as const;
    for (const [i, h] of team.entries()) {
      const share = Math.ceil((n - part) / team.length / 2) * 2;
      const from = Math.min(n, part + i * share);
      const to = i === team.length - 1 ? n : Math.min(n, from + share);
      h.args.set([...at, from, to, max, t, tModel, maxModel, want]);
      Atomics.add(h.control, 0, 1);
      Atomics.notify(h.control, 0);
    }
    k.exports.terms(...at, 0, part, max, t, tModel, maxModel, want, 1);
    for (const h of team) {
      const job = Atomics.load(h.control, 0);
      for (let done = Atomics.load(h.control, 1); done !== job; done = Atomics.load(h.control, 1)) {
        if (Atomics.wait(h.control, 1, done, WORKER_TIMEOUT_MS) === 'timed-out') {
          k.helpers = [];
          throw new Error(
            `chooseToken: a softmax worker thread did not answer in ${WORKER_TIMEOUT_MS / 1000} s; threads are now off`,
          );
        }
      }
    }
    k.exports.sums(this.#probsAt, this.#termsAt, part, n, want);
    const sums = new Float64Array(k.memory.buffer, 0, 2);
    return { probs: new Float64Array(k.memory.buffer, this.#probsAt, n), total: sums[0]!, modelSum: sums[1]! };
  }

  /** The ids with row[i] >= floor, in id order (a view of the kernel's memory). */
  atLeast(floor: number): Int32Array {
    const count = this.#k.exports.atLeast(ROW_AT, this.#n, floor, this.#idsAt);
    return new Int32Array(this.#k.memory.buffer, this.#idsAt, count);
  }
}

/** The row in the kernel's memory, or null where the kernel is unavailable. */
export function loadRow(row: Float32Array): WasmRow | null {
  const k = load();
  return k === null ? null : new WasmRow(k, row);
}

/** exp of each value through the kernel's exp (for tests against `Math.exp`); null where unavailable. */
export function expInWasm(values: Float64Array): Float64Array | null {
  const k = load();
  if (k === null) return null;
  const n = values.length;
  const need = 16 + n * 16;
  const have = k.memory.buffer.byteLength;
  if (have < need) k.memory.grow(Math.ceil((need - have) / PAGE));
  new Float64Array(k.memory.buffer, 16, n).set(values);
  k.exports.expMany(16, 16 + n * 8, n);
  return new Float64Array(k.memory.buffer, 16 + n * 8, n).slice();
}
