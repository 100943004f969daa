/**
 * Built-in address-stream workloads for the cache hierarchy: the access shapes SMAUG's CPU
 * framework produces (tile copies, channel-wise copies) plus a random stream. Used by
 * `smaug cache` and by the benchmarks in bench/.
 */
import { RunBatch } from "./cache.js";
import { mulberry32 } from "./selfcheck.js";
import { Op } from "./types.js";

export const WORKLOADS = ["sequential", "strided", "random", "acp"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface WorkloadOptions {
  /** bytes of source data the workload moves (or, for random, the span it touches) */
  bytes: number;
  /** CPU cores sharing the work (each takes a contiguous share) */
  cores: number;
  /** requester id of the first accelerator port (for "acp") */
  firstPort: number;
  /** runs per batch handed to the engine */
  batchRuns?: number;
  seed?: number;
}

// Source and destination 64 GiB apart (and above 32 bits), so the CLI's largest workload
// (--mib 65536) never overlaps them.
const SRC = 2 ** 36;
const DST = 2 ** 37;

/**
 * Produce the workload as a sequence of batches. Each batch is yielded and then reused, so the
 * consumer must use it before asking for the next.
 * - sequential: each core memcpy's its share in 4 KiB runs (read source run, write destination
 *   run), as a row-wise tile copy does (SMAUG: "2 copies of 16K elements").
 * - strided: each core copies 128 B out of every 256 B of the source (64 fp16 channels of 128),
 *   as a channel-wise tile copy does ("512 copies of 64"), writing the destination contiguously.
 * - random: single 8-byte reads (3/4) and writes (1/4) at uniform random offsets in the span.
 * - acp: core 0 writes the buffer (tile preparation), then accelerator port 0 reads it through
 *   the LLC (ACP) and writes a result buffer of the same size, which core 0 reads back.
 */
export function* workloadBatches(name: WorkloadName, o: WorkloadOptions): Generator<RunBatch> {
  const cap = o.batchRuns ?? 16384;
  const batch = new RunBatch(cap);
  const flushIfFull = function* () {
    if (batch.count >= cap - 1) {
      yield batch;
      batch.clear();
    }
  };
  const share = Math.floor(o.bytes / o.cores);
  if (name === "sequential" || name === "strided") {
    const [runBytes, stride] = name === "sequential" ? [4096, 4096] : [128, 256];
    for (let c = 0; c < o.cores; c++) {
      const dstBase = DST + c * share;
      for (let off = 0, d = 0; off + runBytes <= share; off += stride, d += runBytes) {
        batch.read(SRC + c * share + off, runBytes, c);
        batch.write(dstBase + d, runBytes, c);
        yield* flushIfFull();
      }
    }
  } else if (name === "random") {
    const r = mulberry32(o.seed ?? 1);
    const words = Math.floor(o.bytes / 8);
    const accesses = Math.floor(o.bytes / 32); // as many accesses as a sequential pass has lines
    for (let i = 0; i < accesses; i++) {
      const addr = SRC + 8 * Math.floor(r() * words);
      batch.push(addr, 8, r() < 0.75 ? Op.Read : Op.Write, i % o.cores);
      yield* flushIfFull();
    }
  } else {
    const chunk = 4096;
    for (let off = 0; off < o.bytes; off += chunk) {
      batch.write(SRC + off, chunk, 0);
      yield* flushIfFull();
    }
    for (let off = 0; off < o.bytes; off += chunk) {
      batch.read(SRC + off, chunk, o.firstPort);
      batch.write(DST + off, chunk, o.firstPort);
      yield* flushIfFull();
    }
    for (let off = 0; off < o.bytes; off += chunk) {
      batch.read(DST + off, chunk, 0);
      yield* flushIfFull();
    }
  }
  if (batch.count > 0) yield batch;
}
