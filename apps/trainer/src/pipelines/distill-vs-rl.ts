/**
 * `r1-train distill-vs-rl`: Table 6 of the R1 paper in miniature — distilling a strong teacher against RL on the
 * same small student, on the world's harder task (4-operand problems, where the student's own samples are seldom
 * right), with the paired bootstrap of the difference.
 *
 *   base-r1 ──► teacher        GRPO on the task (R1-Zero template, accuracy + format)
 *   seed    ──► student_base   a smaller model pretrained on the same world (built here from a seed)
 *   teacher ──► teacher_data   k samples per training problem, verified, filtered, deduplicated (@r1/rejection-sampling)
 *   student ──► distilled      SFT on the teacher's data (@r1/distill)
 *   student ──► rl             GRPO on the same problems, rule rewards only, a wall-clock budget ≥ the distilled arm's
 *   distilled ─► distilled_plus_rl (optional) GRPO from the distilled student
 *
 * Every model is measured on one held-out set and on an out-of-distribution split (more operands than any training
 * problem). The stages resume as the R1 pipeline's do (stage-runner.ts).
 */
import { join, resolve } from 'node:path';
import { pairedBootstrap } from '@r1/eval';
import { loadModel } from '@r1/model';
import { DEFAULT_R1_PRETRAIN_OPTIONS, pretrain } from '../pretrain';
import type { StepRecord } from '../stages/grpo';
import type { RolloutRecord } from '../stages/rollout';
import type { Snap } from '../stages/snapshot';
import { openTrainingTask } from '../stages/training-task';
import type { DistillVsRlConfig } from './distill-vs-rl-config';
import { writeDistillVsRlReport } from './distill-vs-rl-report';
import { createStageRunner, Interrupted, type Measured, prepareOut, writeJsonAtomic } from './stage-runner';

export const DVR_STAGES = ['teacher', 'student_base', 'teacher_data', 'distilled', 'rl', 'distilled_plus_rl'] as const;
export type DvrStage = (typeof DVR_STAGES)[number];

/** SNAP plus the parameter count (Table 6 lists model sizes). */
export type ParamSnap = Snap & { parameters: number };

export interface DvrRecord extends Measured {
  name: DvrStage;
  seconds: number;
  checkpoint?: string;
  history?: StepRecord[];
  steps?: number;
  /** RL stages with `rollout:`: endpoints, weight syncs, staleness. */
  rollout?: RolloutRecord;
  parameters?: number;
  /** The out-of-distribution split. */
  ood?: Measured;
  data?: Record<string, unknown>;
  /** Student forward tokens the stage spent (SFT positions; RL sampled + trained tokens). */
  studentTokens?: number;
}

export interface DistillVsRlSummary {
  wallSeconds: number;
  teacher: ParamSnap;
  studentBase: ParamSnap;
  distilled: ParamSnap;
  rl: ParamSnap;
  distilledPlusRl?: ParamSnap;
  distilledVsRl: { pass1Delta: number; ci: [number, number] };
  ood: {
    distilled: Snap;
    rl: Snap;
    studentBase: Snap;
    teacher: Snap;
    distilledVsRl: { pass1Delta: number; ci: [number, number] };
  };
  budget: { distillSeconds: number; rlSeconds: number; distillTokens: number; rlTokens: number };
  rlTuning: string;
  heldOut: { problems: number; k: number; temperature: number; topP: number };
  out: string;
}

export interface DistillVsRlOptions {
  config: DistillVsRlConfig;
  out: string;
  resume: boolean;
  log?: (line: string) => void;
  progress?: boolean;
  stopAfter?: DvrStage;
}

async function parameterCount(dir: string): Promise<number> {
  const model = await loadModel(dir);
  try {
    return [...model.parameters().values()].reduce((s, v) => s + v.size, 0);
  } finally {
    model.dispose();
  }
}

/** Student forward tokens of a GRPO run: every rollout token is generated once and trained on μ times. */
export function rlStudentTokens(history: readonly StepRecord[], rolloutsPerStep: number, iterations: number): number {
  return history.reduce((s, h) => s + h.completionLengthMean * rolloutsPerStep * (1 + iterations), 0);
}

export async function runDistillVsRl(o: DistillVsRlOptions): Promise<DistillVsRlSummary | null> {
  const { config } = o;
  const log = o.log ?? ((line: string) => console.error(line));
  const out = resolve(o.out);
  prepareOut(out, o.resume, config, 'a distill-vs-rl');
  const task = await openTrainingTask(config.task, config.eval.problems);
  const heldOut = task.heldOut(config.eval.seed);
  const oodTask = await openTrainingTask(config.oodTask, config.eval.problems);
  const ood = oodTask.heldOut(config.eval.seed);
  const order = DVR_STAGES.filter((s) => s !== 'distilled_plus_rl' || config.distilledPlusRl !== null);
  const runner = createStageRunner({
    out,
    task,
    heldOut,
    eval: config.eval,
    maxTokens: config.maxTokens,
    rollout: config.rollout,
    order,
    log,
    ...(o.progress === undefined ? {} : { progress: o.progress }),
    ...(o.stopAfter === undefined ? {} : { stopAfter: o.stopAfter }),
  });
  const { measure, grpo } = runner;
  const stage = (name: DvrStage, run: () => Promise<Omit<DvrRecord, 'name' | 'seconds'>>) =>
    runner.stage<DvrRecord>(name, run);
  const both = async (dir: string, name: string) => ({
    ...(await measure(dir, 'r1-zero', name)),
    ood: await measure(dir, 'r1-zero', `${name}-ood`, ood),
    parameters: await parameterCount(dir),
  });
  log(
    `distill-vs-rl: task ${task.name}, held-out ${heldOut.length} problems × k=${config.eval.k}, OOD ${ood.length}; out ${out}`,
  );
  const rollouts = (g: { generationBatchSize: number }) => g.generationBatchSize;

  try {
    const teacher = await stage('teacher', async () => {
      const trained = await grpo('teacher', config.model, 'r1-zero', config.teacher);
      return { ...trained, ...(await both(trained.checkpoint, 'teacher')) };
    });
    const studentBase = await stage('student_base', async () => {
      if (config.student.checkpoint !== null) {
        return { checkpoint: config.student.checkpoint, ...(await both(config.student.checkpoint, 'student_base')) };
      }
      const dir = join(out, 'student_base', 'model');
      await pretrain(
        {
          ...DEFAULT_R1_PRETRAIN_OPTIONS,
          out: dir,
          seed: config.student.seed,
          model: { ...config.student.model, max_position_embeddings: 128 },
          sft: { ...DEFAULT_R1_PRETRAIN_OPTIONS.sft, steps: config.student.steps },
        },
        log,
      ).then((r) => r.model.dispose());
      return { checkpoint: dir, ...(await both(dir, 'student_base')) };
    });
    const teacherData = await stage('teacher_data', async () => {
      const dir = join(out, 'teacher_data');
      const manifest = await runner.sample(join(dir, 'samples'), teacher.checkpoint!, 'r1-zero', config.sampling, {
        outputFormat: 'prompt-completion',
      });
      if (manifest.kept === 0) throw new Error(`${dir}/samples: the teacher's samples kept no trace`);
      return {
        data: {
          problems: manifest.problems.input,
          sampled: manifest.input,
          kept: manifest.kept,
          removed: manifest.removed,
          path: join(dir, 'samples', 'data.jsonl'),
        },
        // Sampling makes data, not a model: its measurement is the teacher's.
        eval: teacher.eval,
        pass1s: teacher.pass1s,
        samples: teacher.samples,
      };
    });
    const distilled = await stage('distilled', async () => {
      const trained = await runner.sft(
        'distilled',
        studentBase.checkpoint!,
        String(teacherData.data!.path),
        config.distill,
      );
      return { ...trained, studentTokens: trained.realTokens, ...(await both(trained.checkpoint, 'distilled')) };
    });
    const rl = await stage('rl', async () => {
      const trained = await grpo('rl', studentBase.checkpoint!, 'r1-zero', config.rl);
      return {
        ...trained,
        studentTokens: rlStudentTokens(trained.history, rollouts(config.rl), config.rl.numIterations),
        ...(await both(trained.checkpoint, 'rl')),
      };
    });
    const plus =
      config.distilledPlusRl === null
        ? null
        : await stage('distilled_plus_rl', async () => {
            const trained = await grpo('distilled_plus_rl', distilled.checkpoint!, 'r1-zero', config.distilledPlusRl!);
            return { ...trained, ...(await both(trained.checkpoint, 'distilled_plus_rl')) };
          });

    const snap = (r: DvrRecord): ParamSnap => ({ ...r.eval, parameters: r.parameters ?? 0 });
    const diff = pairedBootstrap(rl.pass1s, distilled.pass1s, { seed: config.eval.seed });
    const oodDiff = pairedBootstrap(rl.ood!.pass1s, distilled.ood!.pass1s, { seed: config.eval.seed });
    const distillSeconds = teacherData.seconds + distilled.seconds;
    const records = [teacher, studentBase, teacherData, distilled, rl, ...(plus === null ? [] : [plus])];
    const summary: DistillVsRlSummary = {
      wallSeconds: records.reduce((s, r) => s + r.seconds, 0),
      teacher: snap(teacher),
      studentBase: snap(studentBase),
      distilled: snap(distilled),
      rl: snap(rl),
      ...(plus === null ? {} : { distilledPlusRl: snap(plus) }),
      distilledVsRl: { pass1Delta: diff.diff, ci: diff.ci },
      ood: {
        teacher: teacher.ood!.eval,
        studentBase: studentBase.ood!.eval,
        distilled: distilled.ood!.eval,
        rl: rl.ood!.eval,
        distilledVsRl: { pass1Delta: oodDiff.diff, ci: oodDiff.ci },
      },
      budget: {
        distillSeconds,
        rlSeconds: rl.seconds,
        distillTokens: distilled.studentTokens ?? 0,
        rlTokens: rl.studentTokens ?? 0,
      },
      rlTuning: config.rlTuning,
      heldOut: {
        problems: heldOut.length,
        k: config.eval.k,
        temperature: config.eval.temperature,
        topP: config.eval.topP,
      },
      out,
    };
    if (summary.budget.rlSeconds < distillSeconds) {
      log(
        `distill-vs-rl: warning — the RL arm ran ${rl.seconds.toFixed(0)} s, less than the distilled arm's ${distillSeconds.toFixed(0)} s; give rl.max_steps more steps`,
      );
    }
    writeJsonAtomic(join(out, 'summary.json'), summary);
    writeDistillVsRlReport(join(out, 'report.html'), { summary, rl });
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    log(
      `distill-vs-rl: teacher ${pct(teacher.eval.pass1)}, student base ${pct(studentBase.eval.pass1)}, ` +
        `distilled ${pct(distilled.eval.pass1)}, RL ${pct(rl.eval.pass1)}; distilled − RL ${(100 * diff.diff).toFixed(1)} points ` +
        `[${diff.ci.map((x) => (100 * x).toFixed(1)).join(', ')}]; budgets ${distillSeconds.toFixed(0)} s vs ${rl.seconds.toFixed(0)} s`,
    );
    return summary;
  } catch (error) {
    if (error instanceof Interrupted) {
      log(`distill-vs-rl: ${error.message}; rerun with --resume to continue`);
      return null;
    }
    throw error;
  }
}
