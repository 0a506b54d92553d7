/**
 * The call-based harnesses that run inside the jail (APPS `fn_name` tests): read the argument list as JSON from
 * stdin, load the program, call `fn_name` (a top-level function, or a method of `Solution` as LeetCode-style
 * problems have it), and write the return value as strict JSON on the harness's own copy of stdout. The program's
 * own prints go to stderr, so they cannot mix with the result.
 *
 * The harness never sees the expected output and makes no verdict: the judge compares the JSON outside the jail.
 * What the program can do to the harness from inside (it shares the process) gains it nothing — to pass it must
 * still produce the expected value, which never enters the jail. Strict JSON: only dict/list/tuple/str/int/float/
 * bool/None serialise (tuples become lists); NaN and other objects — an always-equal one included — are errors.
 */

export const PYTHON_HARNESS = String.raw`import json, os, sys
def _r1_main():
    fn_name = sys.argv[1]
    args = json.loads(sys.stdin.read())
    sys.stdin.close()
    sys.stdin = open(os.devnull)
    out = os.dup(1)
    os.dup2(2, 1)
    with open('/work/main.py') as f:
        source = f.read()
    namespace = {'__name__': '__r1_solution__', '__builtins__': __builtins__}
    exec(compile(source, '/work/main.py', 'exec'), namespace)
    fn = namespace.get(fn_name)
    if not callable(fn) and callable(namespace.get('Solution')):
        fn = getattr(namespace['Solution'](), fn_name, None)
    if not callable(fn):
        raise NameError('no function ' + repr(fn_name) + ' (top-level or a method of Solution)')
    result = fn(*args)
    text = json.dumps({'r1_result': result}, allow_nan=False)
    sys.stdout.flush()
    os.write(out, (text + '\n').encode())
_r1_main()
`;

export const JAVASCRIPT_HARNESS = String.raw`'use strict';
const fs = require('fs');
const fnName = process.argv[2];
const args = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = 1;
const log = (...a) => process.stderr.write(a.map(String).join(' ') + '\n');
console.log = log; console.info = log; console.warn = log;
process.stdout.write = (chunk) => process.stderr.write(chunk);
const source = fs.readFileSync('/work/main.js', 'utf8');
const module_ = { exports: {} };
const lookup = new Function('module', 'exports', 'require',
  source + '\n;return typeof ' + fnName + ' === "function" ? ' + fnName + ' : undefined;');
let fn = lookup(module_, module_.exports, require);
if (typeof fn !== 'function') fn = typeof module_.exports === 'function' ? module_.exports : module_.exports[fnName];
if (typeof fn !== 'function') throw new Error('no function ' + fnName);
const plain = (v) => {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') { if (!Number.isFinite(v)) throw new Error('non-finite number'); return v; }
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = {}; for (const k of Object.keys(v)) o[k] = plain(v[k]); return o;
  }
  throw new Error('result is not plain JSON: ' + typeof v);
};
Promise.resolve(fn(...args)).then((result) => {
  fs.writeSync(out, JSON.stringify({ r1_result: plain(result === undefined ? null : result) }) + '\n');
});
`;
