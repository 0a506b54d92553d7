import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PREVIOUS_SUFFIX, recoverInterruptedReplace, writeDirAtomic } from './atomic-dir';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'r1-atomic-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const writeA = (text: string) => async (tmp: string) => {
  await writeFile(join(tmp, 'a.txt'), text);
  await mkdir(join(tmp, 'sub'));
  await writeFile(join(tmp, 'sub', 'b.txt'), `${text}!`);
};

test('creates a new directory, and replaces an existing one completely', async () => {
  const dir = join(root, 'fresh', 'nested', 'ckpt');
  await writeDirAtomic(dir, writeA('one'));
  expect(await readFile(join(dir, 'sub', 'b.txt'), 'utf8')).toBe('one!');
  await writeFile(join(dir, 'stale.txt'), 'from the old checkpoint');
  await writeDirAtomic(dir, async (tmp) => writeFile(join(tmp, 'a.txt'), 'two'));
  expect((await readdir(dir)).sort()).toEqual(['a.txt']);
  expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('two');
  expect(await readdir(join(root, 'fresh', 'nested'))).toEqual(['ckpt']); // no temp or .previous left behind
});

test('an error mid-write leaves the old directory intact and removes the partial one', async () => {
  const dir = join(root, 'keep');
  await writeDirAtomic(dir, writeA('old'));
  await expect(
    writeDirAtomic(dir, async (tmp) => {
      await writeFile(join(tmp, 'a.txt'), 'half-written new data');
      throw new Error('disk full (injected)');
    }),
  ).rejects.toThrow('disk full (injected)');
  expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('old');
  expect(await readFile(join(dir, 'sub', 'b.txt'), 'utf8')).toBe('old!');
  expect(await readdir(root)).not.toContainEqual(expect.stringContaining('.keep.tmp-'));
});

test('a crash between the two renames is recovered: the previous copy is restored', async () => {
  const dir = join(root, 'swap');
  await writeDirAtomic(dir, writeA('complete'));
  await rename(dir, dir + PREVIOUS_SUFFIX); // the state a crash right after the first rename leaves
  expect(await recoverInterruptedReplace(dir)).toBe('restored');
  expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('complete');
  expect(await recoverInterruptedReplace(dir)).toBe('none');
});

test('a crash after the swap is cleaned up: the stale previous copy is deleted', async () => {
  const dir = join(root, 'after');
  await writeDirAtomic(dir, writeA('new'));
  await mkdir(dir + PREVIOUS_SUFFIX);
  expect(await recoverInterruptedReplace(dir)).toBe('cleaned');
  expect(await readdir(root)).not.toContain(`after${PREVIOUS_SUFFIX}`);
});

test('temp dirs of dead writers are removed by the next write; a live writer’s are kept', async () => {
  const dir = join(root, 'stale');
  const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
  const dead = join(root, `.stale.tmp-${deadPid}-deadbeef`);
  const live = join(root, `.stale.tmp-${process.ppid}-cafebabe`);
  await mkdir(dead);
  await mkdir(live);
  await writeDirAtomic(dir, writeA('x'));
  const names = await readdir(root);
  expect(names).not.toContain(`.stale.tmp-${deadPid}-deadbeef`);
  expect(names).toContain(`.stale.tmp-${process.ppid}-cafebabe`);
  await rm(live, { recursive: true });
});
