import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, test } from 'vitest';
import { BACKEND_NAMES, parseBackendPreference, tfjsBackendName } from './backend-name';
import { disposeBackend, initBackend } from './init-backend';

afterEach(async () => {
  await disposeBackend();
});

describe('parseBackendPreference', () => {
  test.each([
    ['wasm', 'wasm'],
    [' WASM ', 'wasm'],
    ['node-gpu', 'node-gpu'],
    ['node', 'node'],
    ['cpu', 'cpu'],
    ['auto', 'auto'],
  ])('%j → %j', (input, expected) => {
    expect(parseBackendPreference(input, 'R1_BACKEND')).toBe(expected);
  });

  test.each([
    ['webgl', /R1_BACKEND: unknown backend 'webgl'.*auto, node-gpu, node, wasm, cpu/],
    ['tensorflow', /did you mean 'node'/],
    ['gpu', /did you mean 'node-gpu'/],
    ['', /unknown backend ''/],
  ])('rejects %j with a message that says what to use', (input, message) => {
    expect(() => parseBackendPreference(input, 'R1_BACKEND')).toThrow(message);
  });

  it('maps every name to the tfjs backend it registers', () => {
    expect(BACKEND_NAMES.map(tfjsBackendName)).toEqual(['tensorflow', 'tensorflow', 'wasm', 'cpu']);
  });
});

describe('initBackend', () => {
  it('initialises wasm once, logs once, and reports threads and SIMD', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const info = await initBackend('wasm', { threads: 2, log, env: {} });
    expect(info).toEqual({ name: 'wasm', threads: 2, simd: true });
    expect(tf.getBackend()).toBe('wasm');
    const backend = tf.backend();
    expect(await initBackend('wasm', { log, env: {} })).toBe(info);
    expect(await initBackend(undefined, { log, env: {} })).toBe(info);
    expect(tf.backend()).toBe(backend); // not re-initialised
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[r1\] tfjs backend: wasm \(requested\), threads 2, simd on/);
  });

  it('refuses to switch engines without disposeBackend', async () => {
    await initBackend('wasm', { threads: 1, log: () => {}, env: {} });
    await expect(initBackend('cpu', { log: () => {}, env: {} })).rejects.toThrow(
      /already initialised as 'wasm'.*disposeBackend/,
    );
  });

  it('runs the single-threaded build when asked for one thread', async () => {
    expect(await initBackend('wasm', { threads: 1, log: () => {}, env: {} })).toEqual({
      name: 'wasm',
      threads: 1,
      simd: true,
    });
  });

  it('takes the engine from R1_BACKEND over the argument', async () => {
    const lines: string[] = [];
    const info = await initBackend('wasm', { log: (l) => lines.push(l), env: { R1_BACKEND: 'cpu' } });
    expect(info).toEqual({ name: 'cpu', threads: 1, simd: false });
    expect(tf.getBackend()).toBe('cpu');
    expect(lines[0]).toMatch(/cpu \(forced by R1_BACKEND\)/);
  });

  it('rejects a bad R1_BACKEND or R1_WASM_THREADS with the fix in the message', async () => {
    await expect(initBackend(undefined, { env: { R1_BACKEND: 'webgpu' } })).rejects.toThrow(
      /R1_BACKEND: unknown backend 'webgpu'/,
    );
    await expect(initBackend('wasm', { env: { R1_WASM_THREADS: 'two' } })).rejects.toThrow(
      /R1_WASM_THREADS must be an integer ≥ 1, got 'two'/,
    );
    await expect(initBackend('wasm', { threads: 0, env: {} })).rejects.toThrow(
      /options.threads must be an integer ≥ 1/,
    );
  });

  // The native packages cannot be installed on machines without internet (their install script downloads
  // libtensorflow), which is where CI runs; elsewhere these two tests check nothing.
  const nativeMissing = !canImport('@tensorflow/tfjs-node') && !canImport('@tensorflow/tfjs-node-gpu');

  it.runIf(nativeMissing)('fails loudly when a missing native engine is forced, saying how to install it', async () => {
    await expect(initBackend(undefined, { env: { R1_BACKEND: 'node' } })).rejects.toThrow(
      /R1_BACKEND=node: the 'node' backend could not be loaded: @tensorflow\/tfjs-node is not installed.*pnpm add @tensorflow\/tfjs-node@4\.22\.0/,
    );
    await expect(initBackend('node-gpu', { env: {} })).rejects.toThrow(/initBackend\('node-gpu'\).*tfjs-node-gpu/);
  });

  it.runIf(nativeMissing)('auto skips the missing native engines and lands on wasm, saying why', async () => {
    const lines: string[] = [];
    const info = await initBackend('auto', { threads: 1, log: (l) => lines.push(l), env: {} });
    expect(info.name).toBe('wasm');
    expect(lines[0]).toMatch(/node-gpu unavailable: @tensorflow\/tfjs-node-gpu is not installed; node unavailable/);
  });

  it('lets a process that used 2 wasm threads exit on its own', () => {
    const script = fileURLToPath(new URL('./test-utils/exit-check.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.error).toBeUndefined(); // a timeout would show up here
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ name: 'wasm', threads: 2, simd: true, sum: 256 * 256 * 256 });
  });
});

function canImport(pkg: string): boolean {
  try {
    import.meta.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
