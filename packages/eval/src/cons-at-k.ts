/**
 * cons@k: majority vote over the k samples of a problem. Votes are counted per *equivalence class* of extracted
 * answers as judged by the verifier — `0.5`, `\frac12` and `1/2` are one vote — not per raw string (lighteval's way,
 * which splits a majority written in several forms).
 *
 * Rules (deterministic):
 * - A sample with no extractable answer (null or blank) does not vote.
 * - Answers are taken in sample order; each joins the first existing class whose representative (its first member)
 *   it is equivalent to, in either direction, else it founds a new class.
 * - The class with most votes wins; among tied classes, the one whose first vote came earliest wins.
 * - The problem counts as correct when the winning class's representative verifies against the gold answer.
 *   No votes at all → incorrect.
 */

export interface ConsAtKOptions {
  /** Are two extracted answers the same answer? (e.g. the math verifier applied to both) */
  equivalent: (a: string, b: string) => boolean;
  /** Is this extracted answer correct for the gold answer? */
  correct: (gold: string, answer: string) => boolean;
}

export interface VoteClass {
  representative: string;
  /** Indices (in sample order) of the samples in this class. */
  members: number[];
}

export interface ConsAtKResult {
  correct: boolean;
  /** The winning answer (its class representative), or null when nobody voted. */
  answer: string | null;
  votes: number;
  classes: VoteClass[];
}

export function consAtK(answers: readonly (string | null)[], gold: string, options: ConsAtKOptions): ConsAtKResult {
  const classes: VoteClass[] = [];
  answers.forEach((answer, i) => {
    if (answer === null || answer.trim() === '') return;
    const home = classes.find(
      (c) =>
        c.representative === answer ||
        options.equivalent(c.representative, answer) ||
        options.equivalent(answer, c.representative),
    );
    if (home) home.members.push(i);
    else classes.push({ representative: answer, members: [i] });
  });
  let winner: VoteClass | null = null;
  for (const c of classes) {
    // Strictly more votes to displace: classes are in order of first vote, so ties keep the earliest.
    if (winner === null || c.members.length > winner.members.length) winner = c;
  }
  if (winner === null) return { correct: false, answer: null, votes: 0, classes };
  return {
    correct: options.correct(gold, winner.representative),
    answer: winner.representative,
    votes: winner.members.length,
    classes,
  };
}

/**
 * cons@k over already-scored samples: the vote runs over the extracted answers, and the winning class counts as
 * correct iff one of its members was judged correct. Members of a class are equivalent answers, so this reuses the
 * scorer's verdict (which may depend on more than the answer, e.g. the Countdown numbers) instead of asking a second
 * question of a different shape.
 */
export function consOfScored(
  samples: readonly { extracted: string | null; correct: boolean }[],
  equivalent: (a: string, b: string) => boolean,
): ConsAtKResult {
  return consAtK(
    samples.map((s) => s.extracted),
    '',
    {
      equivalent,
      correct: (_gold, answer) =>
        samples.some(
          (s) => s.extracted !== null && s.correct && (s.extracted === answer || equivalent(s.extracted, answer)),
        ),
    },
  );
}
