/**
 * Test setup for every file. Property tests (fast-check) draw fresh random inputs on every local run, which is how
 * they find new counterexamples; under CI (`CI` set, as `.ci/run` does) they use one fixed seed, so a landing is
 * never blocked by an input no one has seen before — a failure there reproduces exactly. Set `FC_SEED=N` to replay
 * a local failure (fast-check prints the seed with every counterexample).
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20261122' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
