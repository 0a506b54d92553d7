/**
 * Where the CLI writes and what it reads of its process, passed in explicitly so the commands run the same in a
 * test (captured strings) as from a terminal.
 */

export interface Io {
  /** Results: the summary JSON of `score`, the verdict of `compare`, the closing table of `run`. */
  stdout: (text: string) => void;
  /** Progress, notes and errors. */
  stderr: (text: string) => void;
  /** A terminal gets a redrawn progress bar; a pipe or file gets a plain line every few percent. */
  stderrIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
  };
}
