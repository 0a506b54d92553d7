/**
 * General, non-reasoning prompts of the R1 world (R1 §2.3.3's "non-reasoning data": writing, factual QA,
 * self-cognition, translation — here greetings, spelling a number as a word, repeating a phrase). Their replies
 * have no chain of thought: a trivial prompt deserves a direct answer. Stage 3 of the R1 pipeline mixes them into
 * its SFT set; the all-scenario RL stage (issue 13) scores them with preference reward models.
 *
 * Every prompt has one gold reply. The train and test splits are disjoint by a hash of the prompt text, as the
 * built-in reasoning tasks are.
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

const GREETINGS: readonly (readonly [string, string])[] = [
  ['Hello!', 'Hello! How can I help you today?'],
  ['Hi.', 'Hi! How can I help you today?'],
  ['Good morning.', 'Good morning! How can I help you today?'],
  ['Say hello.', 'Hello!'],
  ['How are you?', 'I am well, thank you. How can I help you?'],
  ['Thank you.', 'You are welcome!'],
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

function spell(n: number): GeneralPrompt {
  return { id: '', kind: 'spell', prompt: `Spell ${n} as a word.`, reply: `${NUMBER_WORDS[n]}.` };
}

/** Every prompt of one kind that the world can ask (the repeat kind: all one- and two-word phrases). */
export function allGeneralPrompts(): GeneralPrompt[] {
  const out: GeneralPrompt[] = [];
  for (const [prompt, reply] of GREETINGS) out.push({ id: '', kind: 'greeting', prompt, reply });
  for (let n = 0; n < NUMBER_WORDS.length; n++) out.push(spell(n));
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

/** `count` prompts drawn (with replacement) from a split, seeded. */
export function drawGeneralPrompts(split: Split, count: number, seed: number): GeneralPrompt[] {
  const pool = generalPromptsOf(split);
  const rng = createRng(seed);
  return Array.from({ length: count }, () => rng.pick(pool));
}

/** Does a reply answer a general prompt as its gold reply does (whitespace and case aside)? */
export function generalCorrect(prompt: GeneralPrompt, reply: string): boolean {
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return norm(reply) === norm(prompt.reply);
}
