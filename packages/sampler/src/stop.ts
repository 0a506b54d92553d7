/**
 * Stop strings matched on decoded text, across token boundaries: a stop string may begin in one token and end in a
 * later one ("</ans" + "wer>"). The caller feeds the decoded text of the whole completion so far after every token;
 * only the tail that could contain a new match is searched, so each step costs O(longest stop string + new text).
 */

export interface StopMatch {
  /** Index in the text where the earliest matched stop string begins; the completion text is cut there. */
  cutAt: number;
  stop: string;
}

export class StopMatcher {
  private readonly longest: number;
  private searchedUpTo = 0;

  constructor(private readonly stops: readonly string[]) {
    this.longest = stops.reduce((m, s) => Math.max(m, s.length), 0);
    if (stops.some((s) => s.length === 0)) throw new Error('stop strings must be non-empty: remove "" from stop');
  }

  /** Checks the text decoded so far; returns the earliest match that ends in the newly added text, if any. */
  check(text: string): StopMatch | null {
    if (this.stops.length === 0) return null;
    // A match must end after `searchedUpTo`; it can start up to longest-1 characters before it.
    const from = Math.max(0, this.searchedUpTo - this.longest + 1);
    let best: StopMatch | null = null;
    for (const stop of this.stops) {
      const at = text.indexOf(stop, from);
      if (at >= 0 && (best === null || at < best.cutAt)) best = { cutAt: at, stop };
    }
    // Decoded text can change at its very end (an incomplete multi-byte character becomes a full one), so re-search
    // a little of the old tail next time rather than trusting it.
    this.searchedUpTo = Math.max(0, text.length - 1);
    return best;
  }
}
