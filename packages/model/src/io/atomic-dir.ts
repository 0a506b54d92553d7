/**
 * Atomic replacement of a whole directory: the new contents are written to a temporary sibling, every file and the
 * directory are fsynced, and only then is it renamed into place. A crash or error at any point leaves either the old
 * directory or the new one, never a mix.
 *
 * POSIX cannot swap two directories in one step, so replacing an existing `dir` takes two renames:
 * `dir` → `dir.previous`, then the temp dir → `dir`. A crash between them leaves only `dir.previous`;
 * `recoverInterruptedReplace(dir)` (called by every save and load) renames it back. After the swap the old copy is
 * deleted. Deliberately not safe against two processes writing the same `dir` at once: give each writer its own dir.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Where the old contents wait during a replace; `dir` + this suffix. */
export const PREVIOUS_SUFFIX = '.previous';

/**
 * Writes a directory atomically. `write` fills the (empty) temporary directory it is given; if it throws, the
 * temporary directory is removed, `dir` is untouched, and the error is rethrown.
 * @example
 * await writeDirAtomic('runs/step-100', async (tmp) => { await writeFile(join(tmp, 'a.json'), '{}'); });
 */
export async function writeDirAtomic(dir: string, write: (tmpDir: string) => Promise<void>): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  await recoverInterruptedReplace(target);
  await removeStaleTempDirs(target);
  const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    await write(tmp);
    await fsyncTree(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const previous = target + PREVIOUS_SUFFIX;
  const hadOld = await isPresent(target);
  if (hadOld) {
    try {
      await rename(target, previous);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw new Error(
        `${target}: could not move the old checkpoint aside (${(e as Error).message}); nothing was changed`,
      );
    }
  }
  try {
    await rename(tmp, target);
  } catch (e) {
    if (hadOld) await rename(previous, target);
    await rm(tmp, { recursive: true, force: true });
    throw new Error(
      `${target}: could not move the new checkpoint into place (${(e as Error).message}); the old one is kept`,
    );
  }
  await fsyncDir(parent);
  if (hadOld) await rm(previous, { recursive: true, force: true });
}

/**
 * Finishes a replace that a crash interrupted. If `dir` is missing but `dir.previous` exists, the crash came between
 * the two renames: `dir.previous` is the last complete copy and is renamed back. If both exist, the crash came after
 * the swap and `dir.previous` is deleted. Returns what it did.
 */
export async function recoverInterruptedReplace(dir: string): Promise<'none' | 'restored' | 'cleaned'> {
  const target = resolve(dir);
  const previous = target + PREVIOUS_SUFFIX;
  if (!(await isPresent(previous))) return 'none';
  if (await isPresent(target)) {
    await rm(previous, { recursive: true, force: true });
    return 'cleaned';
  }
  await rename(previous, target);
  await fsyncDir(dirname(target));
  return 'restored';
}

/** Temp dirs left by writers that died mid-write (their pid is gone) hold partial data nobody will finish. */
async function removeStaleTempDirs(target: string): Promise<void> {
  const prefix = `.${basename(target)}.tmp-`;
  for (const name of await readdir(dirname(target))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) {
      await rm(join(dirname(target), name), { recursive: true, force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(path);
    else if (entry.isFile()) await fsyncFile(path);
  }
  await fsyncDir(dir);
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Directory fsync makes the renames and new entries durable on Linux and macOS. Windows cannot open a directory for
// syncing (EISDIR/EPERM); there NTFS journals metadata anyway, so the error is ignored.
async function fsyncDir(dir: string): Promise<void> {
  try {
    await fsyncFile(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (process.platform === 'win32' && (code === 'EISDIR' || code === 'EPERM')) return;
    throw e;
  }
}

async function isPresent(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
