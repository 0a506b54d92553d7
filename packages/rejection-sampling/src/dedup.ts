/**
 * Duplicate detection across a whole rejection-sampling run: exact duplicates after whitespace and case
 * normalisation, and near-duplicates by MinHash (Jaccard over word 5-grams ≥ threshold) found through LSH banding,
 * so each new trace is compared only with the few seen traces that share a band. The first trace seen is kept.
 *
 * `check` only asks; `add` records a trace as kept. Rejection sampling checks a problem's traces against the set and
 * against each other, and adds only those that survive selection, so a trace dropped for another reason never
 * blocks a later one.
 */
import { createHash } from 'node:crypto';
import { MinHasher, similarity } from './minhash';
import type { DedupMode } from './options';

/** Whitespace runs to one space, trimmed, lower-cased: what "exact duplicate" compares. */
export function normalizeForDedup(text: string): string {
  return text.replace(/\s+/gu, ' ').trim().toLowerCase();
}

export interface DedupOptions {
  mode: DedupMode;
  threshold: number;
  shingleSize: number;
  permutations: number;
}

export interface Fingerprint {
  exact: string;
  signature: Uint32Array | null;
}

/** LSH bands: b bands of r rows; the candidate threshold (1/b)^(1/r) sits well below any sensible dedup threshold. */
function bandLayout(permutations: number): { bands: number; rows: number } {
  const rows = permutations >= 64 ? 8 : 4;
  return { bands: Math.floor(permutations / rows), rows };
}

export class Deduplicator {
  readonly #exact = new Set<string>();
  readonly #signatures: Uint32Array[] = [];
  readonly #bands: Map<number, number[]>[] = [];
  readonly #hasher: MinHasher | null;
  readonly #layout: { bands: number; rows: number };

  constructor(readonly options: DedupOptions) {
    this.#hasher = options.mode === 'near' ? new MinHasher(options.permutations, options.shingleSize) : null;
    this.#layout = bandLayout(options.permutations);
    for (let i = 0; i < this.#layout.bands; i++) this.#bands.push(new Map());
  }

  fingerprint(text: string): Fingerprint {
    const exact = createHash('sha1').update(normalizeForDedup(text)).digest('base64');
    return { exact, signature: this.#hasher === null ? null : this.#hasher.signature(text) };
  }

  /** One 32-bit key per band (a hash of its rows: a collision only adds a candidate, which is then compared). */
  #bandKeys(sig: Uint32Array): number[] {
    const { bands, rows } = this.#layout;
    const keys: number[] = [];
    for (let band = 0; band < bands; band++) {
      let key = band;
      for (let r = 0; r < rows; r++) key = Math.imul(key ^ sig[band * rows + r]!, 0x9e3779b1) ^ (key >>> 15);
      keys.push(key);
    }
    return keys;
  }

  /** Is `fp` a duplicate of a trace already added, or of one of `pending` (fingerprints not added yet)? */
  isDuplicate(fp: Fingerprint, pending: readonly Fingerprint[] = []): boolean {
    if (this.options.mode === 'none') return false;
    if (this.#exact.has(fp.exact) || pending.some((p) => p.exact === fp.exact)) return true;
    if (fp.signature === null) return false;
    const sig = fp.signature;
    const threshold = this.options.threshold;
    for (const p of pending) if (p.signature !== null && similarity(sig, p.signature) >= threshold) return true;
    const keys = this.#bandKeys(sig);
    const tried = new Set<number>();
    for (let band = 0; band < keys.length; band++) {
      for (const id of this.#bands[band]!.get(keys[band]!) ?? []) {
        if (tried.has(id)) continue;
        tried.add(id);
        if (similarity(sig, this.#signatures[id]!) >= threshold) return true;
      }
    }
    return false;
  }

  /** Records a kept trace. */
  add(fp: Fingerprint): void {
    if (this.options.mode === 'none') return;
    this.#exact.add(fp.exact);
    if (fp.signature === null) return;
    const id = this.#signatures.length;
    this.#signatures.push(fp.signature);
    this.#bandKeys(fp.signature).forEach((key, band) => {
      const bucket = this.#bands[band]!.get(key);
      if (bucket === undefined) this.#bands[band]!.set(key, [id]);
      else bucket.push(id);
    });
  }
}
