/**
 * Packing rows into sequences by best-fit decreasing (TRL's `bfd`): rows are taken longest first and each goes into
 * the open sequence with the least room that still fits it, or opens a new one. Ties in length are broken by a
 * seeded shuffle, so the packing is one deterministic function of (lengths, capacity, seed). Pure numbers: the
 * attention that keeps rows apart is the model's `segmentIds` (see `batch.ts`).
 */
import { createRng } from '@r1/tasks';

/** One packed sequence: the indices of its rows (in packing order) and the positions they fill. */
export interface PackedSequence {
  rows: number[];
  length: number;
}

/**
 * @param sizes positions each row needs (each ≤ capacity)
 * @param capacity positions per sequence
 * @example packBestFitDecreasing([5, 3, 4, 2], 8, 0) // [{rows: [0, 1], length: 8}, {rows: [2, 3], length: 6}]
 */
export function packBestFitDecreasing(sizes: readonly number[], capacity: number, seed: number): PackedSequence[] {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new Error(`packing: capacity must be an integer ≥ 1, got ${capacity}`);
  sizes.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 1 || s > capacity) {
      throw new Error(`packing: row ${i} needs ${s} positions; every row must need 1…${capacity}`);
    }
  });
  const order = createRng(seed)
    .shuffled(sizes.map((_, i) => i))
    .sort((a, b) => sizes[b]! - sizes[a]!); // stable: equal sizes keep the shuffled order
  const bins: PackedSequence[] = [];
  // Open bins sorted by remaining room, ascending; binary search for the tightest fit.
  const open: { room: number; bin: PackedSequence }[] = [];
  for (const row of order) {
    const size = sizes[row]!;
    let lo = 0;
    let hi = open.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (open[mid]!.room < size) lo = mid + 1;
      else hi = mid;
    }
    let entry: { room: number; bin: PackedSequence };
    if (lo < open.length) {
      entry = open.splice(lo, 1)[0]!;
    } else {
      entry = { room: capacity, bin: { rows: [], length: 0 } };
      bins.push(entry.bin);
    }
    entry.bin.rows.push(row);
    entry.bin.length += size;
    entry.room -= size;
    if (entry.room > 0) {
      let at = 0;
      let end = open.length;
      while (at < end) {
        const mid = (at + end) >> 1;
        if (open[mid]!.room < entry.room) at = mid + 1;
        else end = mid;
      }
      open.splice(at, 0, entry);
    }
  }
  return bins;
}
