/**
 * Our SIMD gemm on more than one core. XNNPACK's thread pool serves tfjs's own kernels, but our kernels (each MoE
 * expert's products, attention's per-head products) call our single-threaded gemm, so on the threaded wasm build
 * they used one core of several. This pool runs batches of gemm calls on `threads − 1` Node worker threads plus the
 * calling thread, all on tfjs's shared wasm heap:
 *
 * - each worker instantiates the same gemm module against the same `WebAssembly.Memory` (shared in the threaded
 *   build, so every thread sees every tensor);
 * - a batch is a list of independent gemm calls; every call is split by rows of C into one part per thread, so the
 *   parts never write the same memory, and calls that touch the same rows (an `accumulate` after an overwrite) stay
 *   in order on one thread;
 * - hand-off is two Atomics words (a generation counter the workers wait on, a done counter the caller waits on):
 *   no messages, no event loop, so kernels stay synchronous.
 *
 * Workers are unref'd (a script ends when its work does) and stopped by `stopGemmPool` (`disposeBackend`). Where the
 * heap is not shared (single-threaded build) or only one thread is wanted, batches run inline: same results.
 */
import { Worker } from 'node:worker_threads';
import type { WasmModule } from '../../wasm-internals';
import { type Gemm, gemmFor, gemmModuleFor } from './gemm';

/** Int32 words per job: a, b, c, m, n, k, rsa, csa, ldb, ldc, accumulate. */
const JOB_WORDS = 11;
/** Control words: [generation, done count, failed count, then per worker: first job, end job]. */
const GENERATION = 0;
const DONE = 1;
const FAILED = 2;
const RANGES = 3;
const STOP = -1;
/**
 * Below this many multiply-adds a batch runs inline: waking a worker costs tens of µs, what ~1M multiply-adds take
 * (decoding, where each expert gets a few rows, is all small batches).
 */
export const POOL_MIN_MACS = 1 << 20;
/** Job parts the shared job buffer holds (shared with the workers at start, so fixed); larger batches run inline. */
const MAX_JOBS = 4096;

/** The worker: a plain script (eval'd), so it needs no file of its own next to whichever build loads it. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { memory, module, control, jobs, index } = workerData;
const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
const ctl = new Int32Array(control);
const job = new Int32Array(jobs);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  if (seen === ${STOP}) break;
  const end = ctl[${RANGES} + 1 + 2 * index];
  try {
    for (let q = ctl[${RANGES} + 2 * index]; q < end; q++) {
      const o = q * ${JOB_WORDS};
      gemm(job[o], job[o + 1], job[o + 2], job[o + 3], job[o + 4], job[o + 5], job[o + 6], job[o + 7], job[o + 8], job[o + 9], job[o + 10]);
    }
  } catch (error) {
    // Never leave the caller waiting: count the failure, say why, and still report done.
    Atomics.add(ctl, 2, 1);
    parentPort.postMessage(String(error && error.stack || error));
  }
  Atomics.add(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}
`;

/**
 * A batch of independent gemm calls (same arguments as `Gemm`), run by `run()` on every thread of the pool.
 * Reusable: `run()` empties it.
 */
export class GemmBatch {
  private words: Int32Array;
  private count = 0;
  private macs = 0;

  constructor(
    private readonly gemm: Gemm,
    private readonly pool: GemmPool | undefined,
    private readonly minMacs = POOL_MIN_MACS,
  ) {
    this.words = new Int32Array(JOB_WORDS * 64);
  }

  /** Queues `C[m, n] (+)= A · B`: the arguments of `Gemm` (a, b, c, m, n, k, rsa, csa, ldb, ldc, accumulate). */
  push(...args: Parameters<Gemm>): void {
    if (args[3] === 0 || args[4] === 0) return; // no rows or no columns
    if ((this.count + 1) * JOB_WORDS > this.words.length) {
      const grown = new Int32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    this.words.set(args, this.count * JOB_WORDS);
    this.count++;
    this.macs += args[3] * args[4] * args[5];
  }

  /** Runs every queued call (in parallel where a pool exists) and returns when all are done. */
  run(): void {
    const jobs = this.words.subarray(0, this.count * JOB_WORDS);
    const small = this.macs < this.minMacs;
    this.count = 0;
    this.macs = 0;
    if (this.pool === undefined || small) runJobs(this.gemm, jobs);
    else this.pool.run(jobs);
  }
}

function runJobs(gemm: Gemm, jobs: Int32Array): void {
  for (let o = 0; o < jobs.length; o += JOB_WORDS) {
    gemm(
      jobs[o]!,
      jobs[o + 1]!,
      jobs[o + 2]!,
      jobs[o + 3]!,
      jobs[o + 4]!,
      jobs[o + 5]!,
      jobs[o + 6]!,
      jobs[o + 7]!,
      jobs[o + 8]!,
      jobs[o + 9]!,
      jobs[o + 10]! as 0 | 1,
    );
  }
}

/**
 * Rows of an m-row product for part `part` of `parts`: contiguous, multiples of 4 (the kernel's row band) except at
 * the end. Returns [first, end).
 */
export function rowRange(m: number, part: number, parts: number): [number, number] {
  const bands = Math.ceil(m / 4);
  const from = Math.floor((bands * part) / parts) * 4;
  const to = Math.min(m, Math.floor((bands * (part + 1)) / parts) * 4);
  return [Math.min(from, m), part === parts - 1 ? m : to];
}

class GemmPool {
  private readonly control: Int32Array;
  private readonly jobs: Int32Array;
  private readonly jobBuffer: SharedArrayBuffer;
  private readonly workers: Worker[] = [];
  private generation = 0;

  /** @param threads the caller plus `threads − 1` workers */
  constructor(
    private readonly wasm: WasmModule,
    readonly threads: number,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(4 * (RANGES + 2 * (threads - 1))));
    this.jobBuffer = new SharedArrayBuffer(4 * JOB_WORDS * MAX_JOBS);
    this.jobs = new Int32Array(this.jobBuffer);
  }

  /** Starts the workers; resolves when each has compiled its gemm and is waiting. */
  async start(): Promise<void> {
    const { memory, module } = gemmModuleFor(this.wasm);
    const ready: Array<Promise<void>> = [];
    for (let index = 0; index < this.threads - 1; index++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { memory, module, control: this.control.buffer, jobs: this.jobBuffer, index },
      });
      this.workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      this.stop();
      throw e;
    }
    // Only now: an unref'd worker does not keep the event loop alive, so awaiting its start would let Node exit.
    for (const w of this.workers) {
      w.on('message', (text) => process.stderr.write(`gemm pool worker: ${String(text)}\n`)); // failures only
      w.unref();
    }
  }

  run(jobs: Int32Array): void {
    const gemm = gemmFor(this.wasm);
    const parts = this.threads;
    const count = jobs.length / JOB_WORDS;
    // Split every job by rows: part 0 runs here, part p on worker p − 1.
    if (count * (parts - 1) > MAX_JOBS) {
      runJobs(gemm, jobs); // more than the shared job buffer holds: inline, same results
      return;
    }
    const mine = new Int32Array(count * JOB_WORDS);
    let mineCount = 0;
    let q = 0;
    for (let p = 1; p < parts; p++) {
      this.control[RANGES + 2 * (p - 1)] = q;
      for (let j = 0; j < count; j++) q += this.split(jobs, j, p, parts, this.jobs, q) ? 1 : 0;
      this.control[RANGES + 1 + 2 * (p - 1)] = q;
    }
    for (let j = 0; j < count; j++) mineCount += this.split(jobs, j, 0, parts, mine, mineCount) ? 1 : 0;
    Atomics.store(this.control, DONE, 0);
    Atomics.store(this.control, FAILED, 0);
    this.generation = (this.generation + 1) & 0x3fffffff;
    Atomics.store(this.control, GENERATION, this.generation);
    Atomics.notify(this.control, GENERATION);
    let mainError: unknown;
    try {
      runJobs(gemm, mine.subarray(0, mineCount * JOB_WORDS));
    } catch (error) {
      mainError = error; // still wait: the workers are writing into the same batch's outputs
    }
    for (;;) {
      const done = Atomics.load(this.control, DONE);
      if (done >= parts - 1) break;
      Atomics.wait(this.control, DONE, done);
    }
    if (mainError !== undefined) throw mainError;
    if (Atomics.load(this.control, FAILED) > 0) {
      throw new Error(
        'gemm pool: a worker thread failed on its share of a batch (its stack trace follows on stderr); ' +
          'rerun with R1_WASM_THREADS=1 to run every product on the main thread',
      );
    }
  }

  /** Writes part `part` of job `j` into `out` at job slot `slot`; false if the part has no rows. */
  private split(jobs: Int32Array, j: number, part: number, parts: number, out: Int32Array, slot: number): boolean {
    const o = j * JOB_WORDS;
    const [from, to] = rowRange(jobs[o + 3]!, part, parts);
    if (to <= from) return false;
    const w = slot * JOB_WORDS;
    out.set(jobs.subarray(o, o + JOB_WORDS), w);
    out[w] = jobs[o]! + 4 * from * jobs[o + 6]!; // A moves by rows × rsa
    out[w + 2] = jobs[o + 2]! + 4 * from * jobs[o + 9]!; // C moves by rows × ldc
    out[w + 3] = to - from;
    return true;
  }

  stop(): void {
    Atomics.store(this.control, GENERATION, STOP);
    Atomics.notify(this.control, GENERATION);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

const pools = new WeakMap<WasmModule, GemmPool>();

/**
 * Starts `threads − 1` gemm workers on this heap (no-op for fewer than 2 threads, a heap that is not shared, or a
 * pool already running).
 */
export async function startGemmPool(wasm: WasmModule, threads: number): Promise<void> {
  if (threads < 2 || pools.has(wasm)) return;
  if (!gemmModuleFor(wasm).shared) return;
  const pool = new GemmPool(wasm, threads);
  await pool.start();
  pools.set(wasm, pool);
}

/** Stops this heap's gemm workers, if any. */
export function stopGemmPool(wasm: WasmModule): void {
  pools.get(wasm)?.stop();
  pools.delete(wasm);
}

/** Threads a `GemmBatch` on this heap runs on (1 without a pool). */
export function gemmThreads(wasm: WasmModule): number {
  return pools.get(wasm)?.threads ?? 1;
}

/**
 * A batch for this heap: parallel if a pool runs and the batch has at least `minMacs` multiply-adds (default
 * `POOL_MIN_MACS`), inline otherwise.
 */
export function gemmBatch(wasm: WasmModule, { minMacs = POOL_MIN_MACS }: { minMacs?: number } = {}): GemmBatch {
  return new GemmBatch(gemmFor(wasm), pools.get(wasm), minMacs);
}
