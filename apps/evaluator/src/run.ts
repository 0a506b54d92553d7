/**
 * `r1-eval run`: load the problems, open the sampler, claim the output directory, then `evaluate()` with
 * results.jsonl as the resumable sample cache, and write summary.json, report.md and report.html.
 *
 * With --queue the run is a coordinator (queued-run.ts): workers draw and score the samples, this process appends
 * them to results.jsonl, then summarises exactly as a local run does.
 *
 * Order matters for safety: the problems are loaded and validated, and the sampler opened (endpoint reachable,
 * checkpoint loadable), before anything in --out is touched. Samples are appended and fsynced batch by batch, so a
 * failure or kill -9 at any point keeps every sample already drawn, and rerunning the same command resumes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EvalAggregate,
  type EvalProgress,
  evaluate,
  type ReportMeta,
  renderEvalHtml,
  renderEvalMarkdown,
  SampleCache,
  summaryOf,
} from '@r1/eval';
import { checkSandbox } from './code-judge';
import type { Io } from './io';
import { openCoordinatorModel, openSampler } from './open-sampler';
import { loadProblems } from './problems';
import { createProgress } from './progress';
import { defaultInstruction, promptTemplate } from './prompt';
import { fillThroughQueue } from './queued-run';
import type { RunOptions } from './run-options';
import { claimOutDir } from './run-record';
import { createEquivalence, createScorer } from './scoring';
import { writeFileAtomic } from './write-atomic';

export const RESULTS_FILE = 'results.jsonl';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The closing lines on stdout. */
export function formatAggregate(name: string, a: EvalAggregate): string {
  const k = a.samplesPerProblem;
  return [
    `${name}: ${a.problems} problems × ${k} samples`,
    `pass@1   ${pct(a.pass1)}  (95% CI ${pct(a.pass1CI[0])} – ${pct(a.pass1CI[1])})`,
    `cons@${k}${' '.repeat(Math.max(1, 4 - String(k).length))}${pct(a.consK)}`,
    `pass@k   ${Object.entries(a.passAtK)
      .map(([kk, v]) => `${kk}: ${pct(v)}`)
      .join('  ')}`,
    '',
  ].join('\n');
}

export async function runCommand(o: RunOptions, io: Io): Promise<number> {
  const started = performance.now();
  const bench = await loadProblems(o);
  for (const w of bench.warnings ?? []) io.stderr(`warning: ${w}\n`);
  // Fail closed before a sample is drawn: without bwrap and a cgroup no program can be judged.
  if (bench.scoring === 'code') await checkSandbox();
  const instruction = o.template === 'chat' ? (o.instruction ?? defaultInstruction(bench.scoring)) : '';
  const opened = o.queue === null ? await openSampler(o, io) : await openCoordinatorModel(o, io);
  try {
    const { sampler } = opened;
    mkdirSync(o.out, { recursive: true });
    claimOutDir(o.out, {
      modelId: sampler.modelId,
      benchmark: bench.source,
      template: o.template,
      instruction,
      temperature: o.temperature,
      topP: o.topP,
      maxTokens: o.maxTokens,
      seed: o.seed,
      k: o.k,
      problems: bench.problems.length,
      benchmarkName: bench.name,
      model: opened.label,
    });
    const resultsPath = join(o.out, RESULTS_FILE);
    const cache = new SampleCache(resultsPath);
    if (cache.repairedLines > 0) {
      io.stderr(`note: ${resultsPath} ended in a torn line (a run was killed mid-write); it was cut off\n`);
    }
    io.stderr(
      `r1-eval: ${bench.name}, ${bench.problems.length} problems × ${o.k} samples from ${opened.label}; ` +
        `${cache.size} samples already in ${resultsPath}\n`,
    );
    const progress = createProgress({
      totalProblems: bench.problems.length,
      totalSamples: bench.problems.length * o.k,
      write: io.stderr,
      tty: io.stderrIsTTY,
    });
    const scorer = createScorer(bench.scoring, {
      timeoutSeconds: o.codeTimeout,
      memoryMb: o.codeMemoryMb,
      earlyStop: true,
    });
    const template = promptTemplate(o.template, instruction);
    const params = { temperature: o.temperature, topP: o.topP, maxNewTokens: o.maxTokens, seed: o.seed };
    let result: Awaited<ReturnType<typeof evaluate>>;
    try {
      if (o.queue !== null) {
        // Workers generate and score; this fills results.jsonl, and evaluate() below only summarises it.
        await fillThroughQueue({
          o,
          problems: bench.problems,
          scoring: bench.scoring,
          modelId: sampler.modelId,
          template,
          params,
          cache,
          io,
        });
      }
      result = await evaluate({
        dataset: bench.problems,
        sampler,
        template,
        k: o.k,
        params,
        score: (completion, problem) => scorer.score(completion, problem),
        equivalent: createEquivalence(bench.scoring),
        cache,
        batchProblems: o.batch,
        ...(o.queue === null ? { onProgress: (p: EvalProgress) => progress.update(p) } : {}),
      });
    } catch (error) {
      progress.done();
      throw new Error(
        `${(error as Error).message}\n${resultsPath} keeps the ${cache.size} samples drawn so far; ` +
          'rerun the same command to resume from there',
      );
    } finally {
      cache.close();
    }
    progress.done();
    if (scorer.unparsableGold.size > 0) {
      const ids = [...scorer.unparsableGold];
      io.stderr(
        `warning: the verifier cannot parse the gold answer of ${ids.length} problem(s) (${ids.slice(0, 5).join(', ')}` +
          `${ids.length > 5 ? ', …' : ''}); their samples count as wrong — check the answer field\n`,
      );
    }
    const meta: ReportMeta = {
      model: opened.label,
      benchmark: bench.name,
      params: {
        k: o.k,
        temperature: o.temperature,
        topP: o.topP,
        maxTokens: o.maxTokens,
        seed: o.seed,
        template: o.template,
        ...(instruction === '' ? {} : { instruction }),
      },
      wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    };
    const summary = summaryOf(result.aggregate, meta);
    writeFileAtomic(join(o.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileAtomic(join(o.out, 'report.md'), `${renderEvalMarkdown(result.aggregate, meta)}\n`);
    writeFileAtomic(join(o.out, 'report.html'), renderEvalHtml(result.aggregate, result.problems, meta));
    io.stdout(formatAggregate(bench.name, result.aggregate));
    io.stdout(`wrote ${['summary.json', 'report.md', 'report.html'].map((f) => join(o.out, f)).join(', ')}\n`);
    return 0;
  } finally {
    await opened.close();
  }
}
