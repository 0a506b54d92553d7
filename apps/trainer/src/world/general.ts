/**
 * General, non-reasoning prompts of the R1 world (R1 §2.3.3's "non-reasoning data": writing, factual QA,
 * self-cognition, translation — here greetings, spelling a number as a word, repeating a phrase). Their replies
 * have no chain of thought: a trivial prompt deserves a direct answer. Stage 3 of the R1 pipeline mixes them into
 * its SFT set; the all-scenario RL stage (issue 13) scores them with preference reward models.
 *
 * Every prompt has one gold reply. The train and test splits are disjoint by a hash of the prompt text, as the
 * built-in reasoning tasks are. Greetings and spelling come in several phrasings, so a held-out prompt asks, in
 * words not seen in training, for something that was ("Write 17 in words." when training had "Spell 17 as a
 * word."): a held-out general prompt is learnable, as a held-out arithmetic problem is. Draws pick the kind first,
 * so that 256 repeat prompts do not crowd out 15 greetings.
 */
import { createRng, hash53, type Split, splitOf } from '@r1/tasks';

export type GeneralKind = 'greeting' | 'spell' | 'repeat';

export interface GeneralPrompt {
  id: string;
  kind: GeneralKind;
  prompt: string;
  /** The gold reply (no chain of thought). */
  reply: string;
}

export const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
  'twenty',
] as const;

export const GENERAL_KINDS: readonly GeneralKind[] = ['greeting', 'spell', 'repeat'];

const HELP = 'How can I help you today?';
const GREETINGS: readonly (readonly [string, string])[] = [
  ['Hello!', `Hello! ${HELP}`],
  ['Hello.', `Hello! ${HELP}`],
  ['Hello there.', `Hello! ${HELP}`],
  ['Hi.', `Hi! ${HELP}`],
  ['Hi!', `Hi! ${HELP}`],
  ['Hi there!', `Hi! ${HELP}`],
  ['Good morning.', `Good morning! ${HELP}`],
  ['Good morning!', `Good morning! ${HELP}`],
  ['Morning!', `Good morning! ${HELP}`],
  ['Good morning to you.', `Good morning! ${HELP}`],
  ['Good morning, friend.', `Good morning! ${HELP}`],
  ['Good evening.', `Good evening! ${HELP}`],
  ['Good evening!', `Good evening! ${HELP}`],
  ['Evening!', `Good evening! ${HELP}`],
  ['Good evening to you.', `Good evening! ${HELP}`],
  ['Good evening, friend.', `Good evening! ${HELP}`],
  ['Say hello.', 'Hello!'],
  ['Please say hello.', 'Hello!'],
  ['How are you?', 'I am well, thank you. How can I help you?'],
  ['How are you today?', 'I am well, thank you. How can I help you?'],
  ['Thank you.', 'You are welcome!'],
  ['Thank you!', 'You are welcome!'],
  ['Thanks.', 'You are welcome!'],
  ['Thanks a lot.', 'You are welcome!'],
];

/** The phrasings of the spell kind. */
const SPELLINGS: readonly ((n: number) => string)[] = [
  (n) => `Spell ${n} as a word.`,
  (n) => `Write ${n} in words.`,
  (n) => `How do you write ${n} in words?`,
];

const REPEAT_WORDS = [
  'red',
  'blue',
  'green',
  'cat',
  'dog',
  'sky',
  'sun',
  'tree',
  'book',
  'fish',
  'small',
  'big',
  'happy',
  'quiet',
  'river',
  'stone',
] as const;

/** Every prompt the world can ask (the repeat kind: all one- and two-word phrases). */
export function allGeneralPrompts(): GeneralPrompt[] {
  const out: GeneralPrompt[] = [];
  for (const [prompt, reply] of GREETINGS) out.push({ id: '', kind: 'greeting', prompt, reply });
  for (let n = 0; n < NUMBER_WORDS.length; n++)
    for (const phrase of SPELLINGS)
      out.push({ id: '', kind: 'spell', prompt: phrase(n), reply: `${NUMBER_WORDS[n]}.` });
  for (const a of REPEAT_WORDS) {
    out.push({ id: '', kind: 'repeat', prompt: `Repeat after me: ${a}`, reply: a });
    for (const b of REPEAT_WORDS) {
      if (a !== b) out.push({ id: '', kind: 'repeat', prompt: `Repeat after me: ${a} ${b}`, reply: `${a} ${b}` });
    }
  }
  return out.map((p) => ({ ...p, id: `general-${hash53(p.prompt).toString(16)}` }));
}

const ALL = allGeneralPrompts();

/** The prompts of one split (a hash of the prompt decides; a fifth goes to test), each once, in a fixed order. */
export function generalPromptsOf(split: Split): GeneralPrompt[] {
  return ALL.filter((p) => splitOf(p.prompt, 0.2) === split);
}

/** `count` prompts drawn (with replacement) from a split, seeded: a kind uniformly, then a prompt of that kind. */
export function drawGeneralPrompts(split: Split, count: number, seed: number): GeneralPrompt[] {
  const pool = generalPromptsOf(split);
  const byKind = GENERAL_KINDS.map((k) => pool.filter((p) => p.kind === k)).filter((ps) => ps.length > 0);
  const rng = createRng(seed);
  return Array.from({ length: count }, () => rng.pick(rng.pick(byKind)));
}

/**
 * The general prompts of the R1 world's pretraining corpus, as the committed `checkpoints/base-r1` and
 * `checkpoints/student-r1` saw them: the world's first prompt set (six greetings, one spelling phrasing, the repeat
 * phrases), drawn uniformly over prompts, so `pretrain --world r1` still rebuilds those checkpoints. The phrasings
 * and the kind-uniform draw above came later (issue 13) and feed the pipeline's SFT rows and stage 4; a base
 * pretrained on them measured better on R1 (98.5% vs R1-Zero 91.2%) but made a weaker teacher for distill-vs-rl
 * (BENCHMARKS.md, "R1 stage 4").
 */
export function corpusGeneralPrompts(count: number, seed: number): GeneralPrompt[] {
  const pool = FIRST_PROMPTS.filter((p) => splitOf(p.prompt, 0.2) === 'train');
  const rng = createRng(seed);
  return Array.from({ length: count }, () => rng.pick(pool));
}

const FIRST_PROMPTS: GeneralPrompt[] = (() => {
  const out: GeneralPrompt[] = [];
  const greetings: [string, string][] = [
    ['Hello!', `Hello! ${HELP}`],
    ['Hi.', `Hi! ${HELP}`],
    ['Good morning.', `Good morning! ${HELP}`],
    ['Say hello.', 'Hello!'],
    ['How are you?', 'I am well, thank you. How can I help you?'],
    ['Thank you.', 'You are welcome!'],
  ];
  for (const [prompt, reply] of greetings) out.push({ id: '', kind: 'greeting', prompt, reply });
  for (let n = 0; n < NUMBER_WORDS.length; n++)
    out.push({ id: '', kind: 'spell', prompt: SPELLINGS[0]!(n), reply: `${NUMBER_WORDS[n]}.` });
  out.push(...ALL.filter((p) => p.kind === 'repeat'));
  return out.map((p) => ({ ...p, id: `general-${hash53(p.prompt).toString(16)}` }));
})();

/** Does a reply answer a general prompt as its gold reply does (whitespace and case aside)? */
export function generalCorrect(prompt: GeneralPrompt, reply: string): boolean {
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return norm(reply) === norm(prompt.reply);
}
