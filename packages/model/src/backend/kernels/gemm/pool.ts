/**
 * Our SIMD gemm on more than one core. XNNPACK's thread pool serves tfjs's own kernels, but our kernels (each MoE
 * expert's products, attention's per-head products) call our single-threaded gemm, so on the threaded wasm build
 * they used one core of several. This pool runs batches of gemm calls on `threads − 1` Node worker threads plus the
 * calling thread, all on tfjs's shared wasm heap:
 *
 * - each worker instantiates the same gemm module against the same `WebAssembly.Memory` (shared in the threaded
 *   build, so every thread sees every tensor);
 * - a batch is a list of gemm calls; calls that write the same C (an `accumulate` after an overwrite, the k-passes
 *   of a deep product) form a chain that stays in order, and every chain is cut by rows of C into tasks, so no two
 *   tasks write the same memory;
 * - threads claim tasks one at a time from a shared counter (the caller too), so a thread that wakes late or runs
 *   slow — a vCPU the host lends elsewhere for a moment — takes fewer tasks instead of holding the batch up. A fixed
 *   split of every call in halves (what this pool did first) left the caller waiting 5–30 ms per train step for
 *   the slower thread (BENCHMARKS.md);
 * - hand-off is Atomics words (a generation counter the workers wait on, the tasks left, the tasks done): no
 *   messages, no event loop, so kernels stay synchronous.
 *
 * Workers are unref'd (a script ends when its work does) and stopped by `stopGemmPool` (`disposeBackend`). Where the
 * heap is not shared (single-threaded build) or only one thread is wanted, batches run inline: same results.
 */
import { Worker } from 'node:worker_threads';
import type { WasmModule } from '../../wasm-internals';
import { type Gemm, gemmFor, gemmModuleFor } from './gemm';

/** Int32 words per job: a, b, c, m, n, k, rsa, csa, ldb, ldc, accumulate. */
const JOB_WORDS = 11;
/**
 * Control words. LEFT counts the tasks not yet claimed: a thread claims task `old − 1` by `Atomics.sub(LEFT, 1)`
 * returning `old > 0`, so a claim is valid only for the batch that set LEFT — a worker that wakes after its batch
 * ended sees `old ≤ 0` and claims nothing, whatever batch comes next.
 */
const GENERATION = 0;
const LEFT = 1;
const COMPLETED = 2;
const FAILED = 3;
const COUNT = 4;
const CONTROL_WORDS = 5;
const STOP = -1;
/**
 * Below this many multiply-adds a batch runs inline: waking a worker costs tens of µs, what ~1M multiply-adds take
 * (decoding, where each expert gets a few rows, is all small batches).
 */
export const POOL_MIN_MACS = 1 << 20;
/** Multiply-adds a task aims at: small enough to balance two threads, large enough that claiming one (an atomic op
 * and a call into wasm, well under 1 µs) stays under 1% of its ~12 µs. */
export const TASK_MACS = 1 << 19;
/** At most this many tasks per chain and thread (a chain of 1024 rows at 2 threads: 16 tasks of 64 rows). */
const TASKS_PER_THREAD = 8;
/** Job parts the shared buffer holds (shared with the workers at start, so fixed); larger batches run inline. */
const MAX_JOBS = 16384;
const MAX_TASKS = 8192;

/** The worker: a plain script (eval'd), so it needs no file of its own next to whichever build loads it. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { memory, module, control, jobs, tasks } = workerData;
const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
const ctl = new Int32Array(control);
const job = new Int32Array(jobs);
const ends = new Int32Array(tasks);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${GENERATION}, seen);
  seen = Atomics.load(ctl, ${GENERATION});
  if (seen === ${STOP}) break;
  for (;;) {
    const left = Atomics.sub(ctl, ${LEFT}, 1);
    if (left <= 0) break;
    const t = left - 1;
    try {
      for (let q = t === 0 ? 0 : ends[t - 1], end = ends[t]; q < end; q++) {
        const o = q * ${JOB_WORDS};
        gemm(job[o], job[o + 1], job[o + 2], job[o + 3], job[o + 4], job[o + 5], job[o + 6], job[o + 7], job[o + 8], job[o + 9], job[o + 10]);
      }
    } catch (error) {
      // Never leave the caller waiting: count the failure, say why, and still count the task done.
      Atomics.add(ctl, ${FAILED}, 1);
      parentPort.postMessage(String(error && error.stack || error));
    }
    if (Atomics.add(ctl, ${COMPLETED}, 1) + 1 === Atomics.load(ctl, ${COUNT})) Atomics.notify(ctl, ${COMPLETED});
  }
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

/** Job indices of each chain (calls that write the same C, in push order), chains in order of first call. */
export function chainsOf(jobs: Int32Array): number[][] {
  const byC = new Map<number, number[]>();
  for (let j = 0; j < jobs.length / JOB_WORDS; j++) {
    const c = jobs[j * JOB_WORDS + 2]!;
    const chain = byC.get(c);
    if (chain === undefined) byC.set(c, [j]);
    else chain.push(j);
  }
  return [...byC.values()];
}

/** Tasks a chain of `macs` multiply-adds over `m` rows is cut into, for `threads` threads. */
export function tasksFor(macs: number, m: number, threads: number): number {
  return Math.max(1, Math.min(Math.round(macs / TASK_MACS), Math.ceil(m / 4), TASKS_PER_THREAD * threads));
}

class GemmPool {
  private readonly control: Int32Array;
  private readonly jobs: Int32Array;
  private readonly ends: Int32Array;
  private readonly jobBuffer: SharedArrayBuffer;
  private readonly taskBuffer: SharedArrayBuffer;
  private readonly workers: Worker[] = [];
  private generation = 0;

  /** @param threads the caller plus `threads − 1` workers */
  constructor(
    private readonly wasm: WasmModule,
    readonly threads: number,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
    this.jobBuffer = new SharedArrayBuffer(4 * JOB_WORDS * MAX_JOBS);
    this.jobs = new Int32Array(this.jobBuffer);
    this.taskBuffer = new SharedArrayBuffer(4 * MAX_TASKS);
    this.ends = new Int32Array(this.taskBuffer);
  }

  /** Starts the workers; resolves when each has compiled its gemm and is waiting. */
  async start(): Promise<void> {
    const { memory, module } = gemmModuleFor(this.wasm);
    const ready: Array<Promise<void>> = [];
    for (let index = 0; index < this.threads - 1; index++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { memory, module, control: this.control.buffer, jobs: this.jobBuffer, tasks: this.taskBuffer },
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
    const count = this.plan(jobs);
    if (count === 0) {
      runJobs(gemm, jobs); // more than the shared buffers hold: inline, same results
      return;
    }
    const ctl = this.control;
    Atomics.store(ctl, COMPLETED, 0);
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, COUNT, count);
    Atomics.store(ctl, LEFT, count); // opens the batch: claims from here on are this batch's
    this.generation = (this.generation + 1) & 0x3fffffff;
    Atomics.store(ctl, GENERATION, this.generation);
    Atomics.notify(ctl, GENERATION);
    let mainError: unknown;
    let mine = 0;
    for (;;) {
      const left = Atomics.sub(ctl, LEFT, 1);
      if (left <= 0) break;
      const t = left - 1;
      try {
        runJobs(gemm, this.jobs.subarray(JOB_WORDS * (t === 0 ? 0 : this.ends[t - 1]!), JOB_WORDS * this.ends[t]!));
      } catch (error) {
        mainError ??= error; // go on: the other tasks must still run (or fail) before the batch can end
      }
      mine++;
    }
    // Tasks still running on workers write into this batch's outputs: wait for them.
    let done = mine === 0 ? Atomics.load(ctl, COMPLETED) : Atomics.add(ctl, COMPLETED, mine) + mine;
    while (done < count) {
      Atomics.wait(ctl, COMPLETED, done);
      done = Atomics.load(ctl, COMPLETED);
    }
    if (mainError !== undefined) {
      throw new Error(
        'gemm pool: the calling thread failed on its share of a batch; rerun with R1_WASM_THREADS=1 to run every ' +
          `product on the main thread: ${String((mainError as Error).message ?? mainError)}`,
        { cause: mainError },
      );
    }
    if (Atomics.load(ctl, FAILED) > 0) {
      throw new Error(
        'gemm pool: a worker thread failed on its share of a batch (its stack trace follows on stderr); ' +
          'rerun with R1_WASM_THREADS=1 to run every product on the main thread',
      );
    }
  }

  /**
   * Writes the batch's tasks into the shared buffers — each chain cut by rows into `tasksFor` parts, a task being
   * its part of every call of the chain, in order — and returns how many; 0 if they do not fit.
   */
  private plan(jobs: Int32Array): number {
    let q = 0;
    let t = 0;
    for (const chain of chainsOf(jobs)) {
      let macs = 0;
      for (const j of chain) macs += jobs[j * JOB_WORDS + 3]! * jobs[j * JOB_WORDS + 4]! * jobs[j * JOB_WORDS + 5]!;
      const parts = tasksFor(macs, jobs[chain[0]! * JOB_WORDS + 3]!, this.threads);
      for (let part = 0; part < parts; part++) {
        if (q + chain.length > MAX_JOBS || t >= MAX_TASKS) return 0;
        for (const j of chain) q += split(jobs, j, part, parts, this.jobs, q) ? 1 : 0;
        if (q > (t === 0 ? 0 : this.ends[t - 1]!)) this.ends[t++] = q; // a task with no rows is no task
      }
    }
    return t;
  }

  stop(): void {
    Atomics.store(this.control, GENERATION, STOP);
    Atomics.notify(this.control, GENERATION);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/** Writes part `part` of `parts` of job `j` into `out` at job slot `slot`; false if the part has no rows. */
function split(jobs: Int32Array, j: number, part: number, parts: number, out: Int32Array, slot: number): boolean {
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
