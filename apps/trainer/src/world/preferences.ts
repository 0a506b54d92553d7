/**
 * The R1 world's hidden preferences over replies to general prompts (issue 13): what a human rater of this world
 * wants, used only to label synthetic preference pairs for the reward models and to measure — the policy never
 * sees it.
 *
 * - **Helpfulness** (`goldHelpfulness`, in [0, 1]): the reply states the requested thing (0.6), politely (0.25: one
 *   courtesy phrase such as "Sure!"), and concisely (0.15, lost word by word beyond the request and one courtesy).
 *   Judged on the final answer only — the text after the last `</think>` — as R1's helpful reward model is.
 * - **Harmlessness** (`isHarmless`): the whole reply uses none of the world's forbidden words.
 *
 * `candidateReplies` spans the space a policy can reach (right or wrong content, courtesy or none, filler, repeated
 * courtesy, a forbidden word); `preferencePairs` draws labelled pairs from it the way annotators produce them —
 * noisy (a share of labels flipped) and length-balanced (the longer reply is the chosen one about half the time), so
 * that a reward model cannot win by counting words.
 */
import { createRng, type Rng } from '@r1/tasks';
import { type GeneralPrompt, NUMBER_WORDS } from './general';

/** Courtesy phrases: one is polite; more is padding. */
export const COURTESIES = ['Sure!', 'Of course!', 'Happy to help!'] as const;
/** Filler a verbose reply adds. */
export const FILLERS = ['I hope this helps.', 'Let me know if you need anything else.', 'That is my answer.'] as const;
/** The world's forbidden words: a reply with one of them is harmful. */
export const FORBIDDEN_WORDS = ['idiot', 'stupid', 'shut up'] as const;

/** The text a helpfulness judgement reads: after the last `</think>` (the whole reply when there is none). */
export function finalAnswer(reply: string): string {
  const end = reply.lastIndexOf('</think>');
  return end < 0 ? reply : reply.slice(end + '</think>'.length);
}

const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');
const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N} ]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Does the reply contain the requested content (the gold reply's words, in order)? */
export function statesRequest(prompt: GeneralPrompt, reply: string): boolean {
  const core = norm(prompt.reply);
  return core !== '' && ` ${norm(reply)} `.includes(` ${core} `);
}

export function isHarmless(reply: string): boolean {
  const text = norm(reply);
  return !FORBIDDEN_WORDS.some((w) => ` ${text} `.includes(` ${w} `));
}

/** The hidden helpfulness score of a reply, in [0, 1]; 0 for a harmful reply. */
export function goldHelpfulness(prompt: GeneralPrompt, reply: string): number {
  const answer = finalAnswer(reply);
  if (!isHarmless(answer)) return 0;
  const text = norm(answer);
  let courtesies = 0;
  for (const c of COURTESIES) {
    const phrase = norm(c);
    courtesies += ` ${text} `.split(` ${phrase} `).length - 1;
  }
  const states = statesRequest(prompt, answer);
  const expected = words(norm(prompt.reply)).length + (courtesies > 0 ? words(norm(COURTESIES[0])).length : 0);
  const extra = Math.max(0, words(text).length - expected);
  return (states ? 0.6 : 0) + (courtesies > 0 ? 0.25 : 0) + 0.15 * Math.max(0, 1 - extra / 6);
}

/**
 * How this world's writers reply to a general prompt — the pretraining corpus's general documents and the stage-3
 * SFT rows (R1's non-reasoning data): the content, a courtesy phrase before it at `courtesy`'s rate, a filler
 * sentence after it at `filler`'s. Good replies, not the rater's best: a model that imitates them leaves room for
 * the preference rewards of stage 4 (always polite, never padded).
 */
export function writtenReply(content: string, rng: Rng, rates = { courtesy: 0.3, filler: 0.3 }): string {
  const courtesy = rng.bool(rates.courtesy) ? `${rng.pick(COURTESIES)} ` : '';
  const filler = rng.bool(rates.filler) ? ` ${rng.pick(FILLERS)}` : '';
  return `${courtesy}${content}${filler}`;
}

export interface CandidateOptions {
  courtesy: boolean;
  /** Repeat the courtesy this many extra times (padding). */
  repeats: number;
  filler: boolean;
  wrong: boolean;
  forbidden: boolean;
}

/** A reply to `prompt` built from the given traits (deterministic in `seed`). */
export function candidateReply(prompt: GeneralPrompt, o: CandidateOptions, seed: number): string {
  const rng = createRng(seed);
  const parts: string[] = [];
  if (o.courtesy) {
    const c = rng.pick(COURTESIES);
    for (let i = 0; i <= o.repeats; i++) parts.push(c);
  }
  if (o.forbidden) parts.push(`Do not be ${rng.pick(['an idiot', 'stupid'])}.`);
  parts.push(o.wrong ? wrongReply(prompt, rng.int(1, 5)) : prompt.reply);
  if (o.filler) parts.push(rng.pick(FILLERS));
  return parts.join(' ');
}

function wrongReply(prompt: GeneralPrompt, shift: number): string {
  if (prompt.kind === 'spell') {
    const n = NUMBER_WORDS.indexOf(prompt.reply.replace(/\.$/, '') as (typeof NUMBER_WORDS)[number]);
    return `${NUMBER_WORDS[(n + shift) % NUMBER_WORDS.length]}.`;
  }
  if (prompt.kind === 'repeat') return prompt.reply.split(' ').reverse().join(' ') + (shift > 2 ? ' too' : '');
  return 'Goodbye.';
}

/** Every trait combination a reply can have (the space `candidateReply` draws from). */
export function allCandidateOptions(): CandidateOptions[] {
  const out: CandidateOptions[] = [];
  for (const courtesy of [false, true])
    for (const repeats of courtesy ? [0, 2] : [0])
      for (const filler of [false, true])
        for (const wrong of [false, true])
          for (const forbidden of [false, true]) out.push({ courtesy, repeats, filler, wrong, forbidden });
  return out;
}

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** The gold helpfulness of each (for measuring the reward model; not a training field). */
  goldChosen: number;
  goldRejected: number;
  /** The label was flipped (annotator noise). */
  flipped: boolean;
}

/**
 * `count` preference pairs over general prompts: two distinct candidates of one prompt, the better by gold
 * helpfulness chosen — except a `flipRate` share of labels, flipped as noisy annotators would. Pairs with a gold tie
 * are redrawn. Length-balanced: among the pairs, the chosen reply is the longer one about half the time.
 */
export function preferencePairs(
  prompts: readonly GeneralPrompt[],
  count: number,
  seed: number,
  flipRate = 0.1,
): PreferencePair[] {
  if (prompts.length === 0) throw new RangeError('preferencePairs: no prompts');
  const options = allCandidateOptions();
  return labelPairs(
    (rng) => {
      const prompt = rng.pick(prompts);
      const a = candidateReply(prompt, rng.pick(options), rng.int(0, 1 << 30));
      const b = candidateReply(prompt, rng.pick(options), rng.int(0, 1 << 30));
      return [prompt, a, b];
    },
    count,
    seed,
    flipRate,
  );
}

/** A prompt and the replies a policy sampled for it. */
export interface ReplyPool {
  prompt: GeneralPrompt;
  replies: readonly string[];
}

/**
 * Preference pairs over a policy's own samples, labelled as `preferencePairs` labels its candidates (gold, with
 * `flipRate` of the labels flipped, length-balanced) — how preference data is collected for RLHF: raters compare
 * the replies the model to be tuned actually gives, so the reward model is accurate where the policy samples. Fewer
 * than `count` pairs when the pools hold too few replies of different gold value.
 */
export function policyPreferencePairs(
  pools: readonly ReplyPool[],
  count: number,
  seed: number,
  flipRate = 0.1,
): PreferencePair[] {
  const usable = pools.filter((p) => new Set(p.replies.map((r) => goldHelpfulness(p.prompt, r))).size > 1);
  if (usable.length === 0) return [];
  return labelPairs(
    (rng) => {
      const pool = rng.pick(usable);
      return [pool.prompt, rng.pick(pool.replies), rng.pick(pool.replies)];
    },
    count,
    seed,
    flipRate,
  );
}

/** The labelling both pair sources share: draws (prompt, a, b) until `count` pairs or too many misses. */
function labelPairs(
  draw: (rng: Rng) => [GeneralPrompt, string, string],
  count: number,
  seed: number,
  flipRate: number,
): PreferencePair[] {
  const rng = createRng(seed);
  const out: PreferencePair[] = [];
  let longerChosen = 0;
  for (let misses = 0; out.length < count && misses < 200 * count + 1000; ) {
    const [prompt, a, b] = draw(rng);
    const ga = goldHelpfulness(prompt, a);
    const gb = goldHelpfulness(prompt, b);
    if (a === b || Math.abs(ga - gb) < 1e-9) {
      misses++;
      continue;
    }
    let [chosen, rejected, gc, gr] = ga > gb ? [a, b, ga, gb] : [b, a, gb, ga];
    // Length balance: skip a pair that would push the longer-is-chosen share away from one half.
    const longer = chosen.length > rejected.length;
    if ((longer && longerChosen > out.length / 2 + 2) || (!longer && out.length - longerChosen > out.length / 2 + 2)) {
      misses++;
      continue;
    }
    const flipped = rng.bool(flipRate);
    if (flipped) [chosen, rejected, gc, gr] = [rejected, chosen, gr, gc];
    if (chosen.length > rejected.length) longerChosen++;
    out.push({ prompt: prompt.prompt, chosen, rejected, goldChosen: gc, goldRejected: gr, flipped });
  }
  return out;
}
