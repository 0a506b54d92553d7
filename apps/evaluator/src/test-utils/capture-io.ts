/** An Io that records what a command writes, for in-process tests of main(). */
import type { Io } from '../io';
import { main } from '../main';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export function captureIo(tty = false): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stderrIsTTY: tty,
    env: { ...process.env },
  };
}

/** Runs r1-eval in this process. */
export async function cli(...argv: string[]): Promise<Captured> {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}
