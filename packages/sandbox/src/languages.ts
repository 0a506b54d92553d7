/**
 * The languages a program can be written in, each as what runs in the jail: Python 3 (`python3 -I -B`: isolated
 * mode, no bytecode files), C++ (`g++ -O2 -std=c++17`, Codeforces style, compiled in a jail of its own whose stdout
 * carries the binary back), and JavaScript (`node`). Interpreters are found on the host and must lie under the
 * jail's read-only root.
 */
import { JAVASCRIPT_HARNESS, PYTHON_HARNESS } from './harness';
import { findExecutable, type JailSpec, jailExecutable } from './jail';

export const LANGUAGES = ['python', 'cpp', 'javascript'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Host paths of the toolchain; each default is found on PATH (a pyenv shim resolves to the system python3). */
export interface Toolchain {
  python: string;
  gxx: string;
  node: string;
}

export function isLanguage(x: unknown): x is Language {
  return typeof x === 'string' && (LANGUAGES as readonly string[]).includes(x);
}

/** Default toolchain paths: /usr/bin first, since the jail's root is /usr (PATH often starts with shims). */
export function defaultToolchain(): Toolchain {
  const find = (name: string) => findExecutable(name, '/usr/bin:/usr/local/bin') ?? `/usr/bin/${name}`;
  return { python: find('python3'), gxx: find('g++'), node: find('node') };
}

const resolved = new Map<string, string>();
function tool(path: string, what: string, extraBinds: readonly string[]): string {
  const key = `${path}\0${extraBinds.join('\0')}`;
  let real = resolved.get(key);
  if (real === undefined) {
    real = jailExecutable(path, what, extraBinds);
    resolved.set(key, real);
  }
  return real;
}

/** What runs for one test: a stdin/stdout program, or a call of `fnName` through the harness. */
export type Invocation = { kind: 'stdio' } | { kind: 'call'; fnName: string };

/** A compiled program (C++): the binary that runs. Interpreted languages run their source. */
export interface Prepared {
  language: Language;
  source: string;
  binary?: Buffer;
}

/** The jail spec that compiles C++ `source`; its stdout is the binary. */
export function compileSpec(
  source: string,
  toolchain: Toolchain,
  extraBinds: readonly string[],
): Omit<JailSpec, 'tmpBytes' | 'workBytes'> {
  const gxx = tool(toolchain.gxx, 'g++', extraBinds);
  return {
    argv: ['/bin/sh', '-c', `${gxx} -O2 -std=c++17 -pipe -o /tmp/a.out /work/main.cpp 1>&2 && cat /tmp/a.out`],
    files: [{ path: '/work/main.cpp', data: source }],
    extraBinds,
  };
}

/** The jail spec that runs a prepared program once. */
export function runSpec(
  program: Prepared,
  invocation: Invocation,
  toolchain: Toolchain,
  extraBinds: readonly string[],
): Omit<JailSpec, 'tmpBytes' | 'workBytes'> {
  switch (program.language) {
    case 'python': {
      const python = tool(toolchain.python, 'python3', extraBinds);
      const main = { path: '/work/main.py', data: program.source };
      if (invocation.kind === 'stdio')
        return { argv: [python, '-I', '-B', '/work/main.py'], files: [main], extraBinds };
      return {
        argv: [python, '-I', '-B', '/work/harness.py', invocation.fnName],
        files: [main, { path: '/work/harness.py', data: PYTHON_HARNESS }],
        extraBinds,
      };
    }
    case 'javascript': {
      const node = tool(toolchain.node, 'node', extraBinds);
      const main = { path: '/work/main.js', data: program.source };
      if (invocation.kind === 'stdio') return { argv: [node, '/work/main.js'], files: [main], extraBinds };
      return {
        argv: [node, '/work/harness.js', invocation.fnName],
        files: [main, { path: '/work/harness.js', data: JAVASCRIPT_HARNESS }],
        extraBinds,
      };
    }
    case 'cpp': {
      if (invocation.kind === 'call')
        throw new TypeError('call-based (fn_name) tests need python or javascript, not cpp');
      if (program.binary === undefined) throw new TypeError('a cpp program must be compiled first (compileSpec)');
      return { argv: ['/work/prog'], files: [{ path: '/work/prog', data: program.binary, mode: 0o555 }], extraBinds };
    }
    default: {
      const never: never = program.language;
      throw new TypeError(`unknown language ${String(never)}`);
    }
  }
}
