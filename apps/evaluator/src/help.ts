/** The `--help` texts of r1-eval and its subcommands. Defaults stated here are those of run-options.ts. */

export const MAIN_HELP = `r1-eval — evaluate a model the way the DeepSeek-R1 paper does, with confidence intervals.

usage:
  r1-eval run (--model DIR | --endpoint URL) --benchmark NAME [--data FILE] --out DIR [options]
  r1-eval run (--model DIR | --endpoint URL) --benchmark code --data FILE
              --code-format apps|code_contests|codeforces|livecodebench --out DIR [options]
  r1-eval run … --queue redis://HOST:PORT/DB      the same run, its samples drawn by workers (a coordinator)
  r1-eval worker --queue redis://HOST:PORT/DB (--model DIR | --endpoint URL …) [--concurrency N]
  r1-eval score --input FILE.jsonl [--k 1,4,16] [--code-timeout S] [--code-memory-mb N] [--details FILE]
  r1-eval compare RUN_A RUN_B [--json]

Run 'r1-eval <command> --help' for the options of each command.
Exit codes: 0 ok, 1 runtime failure (bad data, unreachable endpoint, …), 2 usage error.
`;

export const RUN_HELP = `usage: r1-eval run (--model DIR | --endpoint URL [--api-model NAME] [--api-key-env VAR])
                   --benchmark NAME [--data FILE] --out DIR [options]

Draws k samples per problem, scores each, and writes to --out:
  results.jsonl  every sample (append-only; it IS the resume cache: rerunning the same command with the same
                 --out generates only the samples that are missing, even after kill -9)
  run.json       the settings that define the samples (a rerun with different ones is refused)
  summary.json   pass@1 with its 95% CI, cons@k, pass@k for k = 1, 2, 4, …, mean length, truncation rate
  report.md, report.html   the same as tables, a pass@k-vs-k plot and a completion-length histogram

model (exactly one):
  --model DIR            local checkpoint (config.json, model.safetensors, tokenizer.json)
  --backend NAME         tfjs backend for --model: wasm, cpu, node, node-gpu (default: best that loads)
  --endpoint URL         OpenAI-compatible server (vLLM, SGLang, r1-serve), e.g. http://localhost:8000/v1; give it
                         again for a fleet of servers of one model (requests round-robin; with --queue, each
                         server gets its own workers)
  --api-model NAME       model name at the endpoint (default: the single model its /v1/models lists)
  --api-key-env VAR      environment variable holding the API key (default: no key is sent)
  --max-retries N        retries of a failed request, with backoff (default 5)
  --timeout SECONDS      per-request timeout (default 600)
  --return-token-ids     ask the server for token ids so lengths are in tokens (vLLM >= 0.10, r1-serve)

problems:
  --benchmark NAME       aime24 | math500 | gsm8k   layouts built in; give the file with --data (nothing is
                                                    downloaded; JSONL or Parquet, normalised or Hugging Face layout)
                         arithmetic | countdown     generated test split (never used for training); countdown
                                                    with --data FILE reads its problems from the file instead
                         code                       programming problems with test cases from --data in the
                                                    --code-format layout, judged by running the program in a
                                                    bubblewrap + cgroup jail (refused when there is none)
                         FILE.jsonl | FILE.parquet  any file (or give it with --data and no --benchmark)
  --data FILE            the data file
  --code-format F        code: apps (question, input_output) | code_contests (description, public_tests,
                         private_tests, generated_tests) | codeforces (open-r1: description, official_tests,
                         time_limit, memory_limit) | livecodebench (question_content, public_test_cases,
                         private_test_cases when plain JSON, metadata.func_name)
  --code-timeout S       code: seconds per test (default: the problem's own limit, else 6)
  --code-memory-mb N     code: MiB per test (default: the problem's own limit, else 1024)
  --numbers-field F      countdown file: field with the list of numbers (default nums, TinyZero's layout)
  --target-field F       countdown file: field with the target (default target)
  --problem-field F      generic file: field with the problem (default problem)
  --answer-field F       generic file: field with the gold answer (default answer)
  --id-field F           generic or countdown file: field with a unique id (default: records numbered by line)
  --answer-format FMT    generic file: plain | gsm8k ("#### N") | boxed (last \\boxed{}) (default plain)
  --limit N              first N problems (generated benchmarks: how many; default 100)
  --preset NAME          generated benchmarks: difficulty preset
                           (arithmetic: tiny, easy, medium, hard; countdown: tiny, easy, tinyzero)
  --task-options JSON    generated benchmarks: explicit generator options instead of a preset,
                           e.g. '{"minOperands": 3}' (as r1-train sample run --task-options)
  --seed N               seed of the generators and of sampling (default 0)

sampling (defaults follow the R1 paper):
  --k N                  samples per problem (default 16)
  --temperature T        (default 0.6)
  --top-p P              (default 0.95)
  --max-tokens N         most tokens per sample (default 32768; small local models need less)
  --template NAME        chat | r1-zero | raw (default chat)
                           chat:    one user message, rendered with the model's own chat template
                           r1-zero: the R1-Zero prompt of the paper's Table 1
                           raw:     the problem text as is
  --instruction TEXT     chat only: appended to the problem (default: "Please reason step by step, and put your
                         final answer within \\boxed{}."; countdown: answer in <answer> </answer> tags; code: one
                         \`\`\`python block at the end; '' for none)
  --batch N              problems per sampler call (local batch / requests in flight) (default 8)

output:
  --out DIR              output directory (required)

work queue (BullMQ on Redis; see r1-eval worker --help):
  --queue URL            redis://HOST:PORT/DB: this run becomes a coordinator. It enqueues one job per problem's
                         missing samples and appends what workers return to results.jsonl; the outputs are those
                         of a local run. --model/--endpoint name the model the workers must serve (a checkpoint is
                         not loaded here). Rerun after a crash or kill -9: rows in results.jsonl are not enqueued
                         again, results workers finished meanwhile are taken from Redis, queued jobs are not
                         duplicated. Redis must have maxmemory-policy noeviction.
  --queue-name NAME      queue name in that Redis (default r1-eval); workers use the same
  (--max-retries N sets the attempts of a job: 1 + N, with exponential backoff)

Scoring: math answers with the math verifier (the last <answer> block, else the text after </think>, else the
whole completion; 0.5, \\frac12 and 1/2 are equal); countdown equations (last <answer> block) must use every given
number once and hit the target. Code: the last fenced block after </think> (\`\`\`python, \`\`\`cpp, \`\`\`js …;
untagged is python) must pass every test. cons@k votes over verifier equivalence classes (code: the same program
up to line-end whitespace). The 95% CI of pass@1 is a percentile bootstrap over problems (10,000 resamples, seed 0).
`;

export const WORKER_HELP = `usage: r1-eval worker --queue redis://HOST:PORT/DB (--model DIR [--backend NAME]
                      | --endpoint URL [--api-model NAME] [--api-key-env VAR] [--timeout S] [--return-token-ids])
                      [--concurrency N] [--queue-name NAME] [--rate-limit MAX/SECONDS] [--lock-seconds S]
                      [--exit-when-idle S]

Processes the jobs of queued runs: for r1-eval run --queue it generates each job's samples and scores them; for
r1-train sample run --queue it generates them (the coordinator verifies and filters its traces). Either way it hands
the result back through Redis. Start as many as you like, on any machine that reaches the Redis server. Sample j of a
problem is drawn from its own seeded stream, so the samples equal a single-process run's whichever worker draws
them.

  --queue URL            the coordinator's Redis (required)
  --queue-name NAME      the coordinator's queue name (default r1-eval; r1-train sample run's is r1-sample)
  --model DIR            the coordinator's checkpoint, at the same absolute path (samples are keyed by it); a job
                         for another model is put back for another worker and this worker stops (exit 1)
  --endpoint URL         the coordinator's OpenAI-compatible server, or one server of its fleet; --api-model,
                         --api-key-env, --timeout and --return-token-ids as in run
  --concurrency N        jobs at once (default 1 with --model, 4 with --endpoint); a local model generates one
                         job at a time, the rest overlap scoring and Redis
  --rate-limit MAX/S     at most MAX jobs started per S seconds (a sliding window) across all workers of this
                         worker's --endpoint, on any queue of the Redis (with --model: of the queue); give every
                         worker of one endpoint the same limit, and each endpoint its own
  --lock-seconds S       lock of an active job (default 30): a worker killed mid-job leaves a stalled job that
                         another worker takes over after about 2×S seconds
  --exit-when-idle S     stop once the queue has had no unfinished job (waiting, active, waiting for a retry)
                         for S seconds (default: run until SIGTERM or Ctrl-C)

Failures: a 429 from the endpoint puts the job back without using an attempt and holds off every worker of that
endpoint (its Retry-After; without one 250 ms, doubling with each 429 in a row up to 30 s) while workers of other endpoints keep taking jobs; a
500, a timeout or a dropped connection fails the attempt and the queue retries the job with exponential backoff
(the coordinator's --max-retries). A job the model can never serve (--max-tokens beyond a checkpoint's context, a
chat prompt without a chat template) fails at once. Delivery is at least once, results are effectively once: the
first result stored for a job wins and a duplicate delivery records nothing.
`;

export const SCORE_HELP = `usage: r1-eval score --input FILE.jsonl [--k 1,4,16] [--code-timeout S] [--code-memory-mb N]
                     [--details FILE]

Scores samples produced elsewhere. Each line is one sample of one problem:
  {"problem_id": "p1", "gold": "1/2", "completion": "... \\\\boxed{0.5}"}   verified with the math verifier
  {"problem_id": "p1", "correct": true}                                already judged
  {"problem_id": "p1", "completion": "...", "tests": {"inputs": [...], "outputs": [...]}, "language"?: "python"}
                                       judged by running the program (the last fenced block after </think>) in a
                                       bubblewrap + cgroup jail; correct when every test passes. Call-based tests:
                                       {"fn_name": "f", "inputs": [[args], ...], "outputs": [...]}
Prints summary.json-shaped JSON: problems, samplesPerProblem, pass1, pass1CI [lo, hi] (95% percentile bootstrap
over problems), passAtK (unbiased estimator), and consK when every line has a completion.

  --input FILE          the samples (required)
  --k LIST              comma-separated k values for pass@k (default 1, 2, 4, … up to the samples per problem);
                        every problem needs at least max(k) samples
  --code-timeout S      code lines: seconds per test, wall clock and CPU (default 6)
  --code-memory-mb N    code lines: MiB per test (default 1024)
  --details FILE        one JSON line per input line, in input order: problem_id, sample_index, line, correct,
                        reward (code: pass rate; math: 1 or 0), status, passed, total, seconds; code lines also
                        code_language and test_verdicts [{test_index, verdict: pass | wrong_answer | timeout |
                        memory | runtime_error | compile_error | output_limit | no_code, time_ms}]. It is itself
                        score input (its lines carry "correct"), for compare too.

Code lines need bubblewrap and a cgroup: without them the command stops (exit 1) with the fix.
`;

export const COMPARE_HELP = `usage: r1-eval compare RUN_A RUN_B [--json]

Paired comparison of pass@1 (B − A) on the problems both runs share: the per-problem pass@1 of each run is read
from its results.jsonl (a run directory, or a JSONL file of r1-eval records or of score-format lines), and the
difference is bootstrapped over problems jointly (10,000 resamples, seed 0), so per-problem difficulty cancels.
Prints both pass@1 values, the difference with its 95% CI, and a one-line verdict.

  --json   print the comparison as JSON instead
`;
