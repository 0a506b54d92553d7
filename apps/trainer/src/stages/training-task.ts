/**
 * Where an RL stage's problems come from: a built-in generator (a fresh seeded draw of the train split every
 * generation; held-out problems from the test split, which never shares a problem with it), or a JSONL/Parquet file
 * with r1-eval's field mapping (a seeded draw of its records every generation; held-out problems from
 * `eval_path`, or else the file's last `eval.problems` records, which are then never trained on).
 * The file is loaded and checked before training starts, so a bad line costs no compute.
 */
import { createRng } from '@r1/sampler';
import { createTask, loadDataset, type TaskItem } from '@r1/tasks';
import type { FileTask, TrainerConfig } from '../trainer-config';

export interface TrainingTask {
  name: string;
  /** `count` problems of generation `seed` (deterministic in the seed). */
  train(count: number, seed: number): TaskItem[];
  /** `count` distinct training problems (for sampling stages: each problem once), deterministic in the seed. */
  problems(count: number, seed: number): TaskItem[];
  /** The distinct held-out problems (`heldOutCount` of them). */
  heldOut(seed: number): TaskItem[];
}

async function fileItems(path: string, t: FileTask): Promise<TaskItem[]> {
  const { records } = await loadDataset(path, {
    fields: {
      problem: t.problemField,
      answer: t.answerField,
      answerFormat: t.answerFormat,
      ...(t.idField === null ? {} : { id: t.idField }),
    },
  });
  if (records.length === 0) throw new Error(`${path}: no problems in the file`);
  return records.map((r) => ({ id: r.id, prompt: r.prompt, answer: r.answer!, meta: {} }));
}

export async function openTrainingTask(task: TrainerConfig['task'], heldOutCount: number): Promise<TrainingTask> {
  const file = task.file;
  if (file === null) {
    const generator = createTask(task.name as 'arithmetic', task.options as never);
    return {
      name: task.name,
      train: (count, seed) => generator.generate({ split: 'train', count, seed }),
      problems: (count, seed) => generator.generate({ split: 'train', count, seed, unique: true }),
      heldOut: (seed) => generator.generate({ split: 'test', count: heldOutCount, seed, unique: true }),
    };
  }
  const all = await fileItems(file.path, file);
  const evalItems = file.evalPath === null ? null : await fileItems(file.evalPath, file);
  if (evalItems === null && all.length < 2 * heldOutCount) {
    throw new Error(
      `${file.path}: ${all.length} problems are too few to hold out eval.problems = ${heldOutCount} and train on ` +
        'the rest; give task.eval_path or lower eval.problems',
    );
  }
  const pool = evalItems === null ? all.slice(0, all.length - heldOutCount) : all;
  const heldOut = evalItems === null ? all.slice(all.length - heldOutCount) : evalItems.slice(0, heldOutCount);
  return {
    name: file.path.replace(/^.*\//, ''),
    train: (count, seed) => {
      const uniform = createRng(seed);
      return Array.from({ length: count }, () => pool[Math.floor(uniform() * pool.length)]!);
    },
    problems: (count, seed) => {
      const rng = createRng(seed);
      const order = pool.map((item) => ({ item, key: rng() })).sort((a, b) => a.key - b.key);
      const seen = new Set<string>();
      const out: TaskItem[] = [];
      for (const { item } of order) {
        if (out.length >= count) break;
        if (seen.has(item.id)) continue;
        seen.add(item.id);
        out.push(item);
      }
      return out;
    },
    heldOut: () => heldOut,
  };
}
