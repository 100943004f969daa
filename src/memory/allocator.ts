/**
 * Simulated host addresses. Every tensor, every tile buffer, every scratchpad image and anything
 * else the memory model moves gets a byte address from one `AddressAllocator`, so the cache
 * engine and the DRAM row-buffer model see real, distinct addresses.
 *
 * The allocator is a bump (arena) allocator: allocations are placed in the order they are asked
 * for, each at the next multiple of its alignment, never overlapping a live allocation; the same
 * sequence of calls always gives the same addresses. `mark()` / `release(mark)` free everything
 * allocated after a mark (stack discipline), so per-operator buffers can reuse the addresses of
 * the previous operator's buffers, as malloc would after a free.
 */
import { ADDRESS_LIMIT } from "../engine/cache.js";

/** One allocation: bytes [addr, addr + bytes). */
export interface Allocation {
  readonly name: string;
  readonly addr: number;
  readonly bytes: number;
  readonly align: number;
}

export interface AllocatorOptions {
  /** first address handed out (default 64 KiB, so that no allocation sits at address 0) */
  base?: number;
  /** alignment of allocations that do not name one, bytes, a power of two (default 64: a DMA chunk, two baseline lines) */
  align?: number;
  /** end of the address space, exclusive (default 2^48, the cache engine's limit) */
  limit?: number;
}

/** A point to `release` back to. */
export interface AllocatorMark {
  readonly count: number;
  readonly next: number;
}

export const DEFAULT_BASE_ADDRESS = 0x10000;
export const DEFAULT_ALIGN_BYTES = 64;

/** Allocation name of a tensor (a graph reference such as `conv1` or `split:1`). */
export const tensorKey = (ref: string): string => `tensor:${ref}`;
/** Allocation name of tile `index` of a tensor's tile buffers. */
export const tileKey = (ref: string, index: number): string => `tile:${ref}#${index}`;

const isPow2 = (n: number) => Number.isInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;

/** The smallest multiple of `align` (a power of two) that is >= x. */
export function alignUp(x: number, align: number): number {
  return Math.ceil(x / align) * align;
}

export class AddressAllocator {
  readonly base: number;
  readonly defaultAlign: number;
  readonly limit: number;
  private readonly byName = new Map<string, Allocation>();
  /** live allocations in address (= allocation) order */
  private readonly list: Allocation[] = [];
  private next: number;
  private peak: number;
  private liveBytes = 0;

  constructor(options: AllocatorOptions = {}) {
    const base = options.base ?? DEFAULT_BASE_ADDRESS;
    const align = options.align ?? DEFAULT_ALIGN_BYTES;
    const limit = options.limit ?? ADDRESS_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > ADDRESS_LIMIT)
      throw new RangeError(`limit ${limit} must be an integer from 1 to 2^48`);
    if (!Number.isInteger(base) || base < 0 || base >= limit)
      throw new RangeError(`base ${base} must be an integer in [0, limit = ${limit})`);
    if (!isPow2(align)) throw new RangeError(`align ${align} must be a power of two`);
    this.base = base;
    this.defaultAlign = align;
    this.limit = limit;
    this.next = base;
    this.peak = base;
  }

  /**
   * Place `bytes` bytes at the next multiple of `align` and remember them as `name`. Zero bytes
   * get an address but occupy nothing. Throws on a name already live, a bad size or alignment,
   * or when the address space is exhausted.
   */
  allocate(name: string, bytes: number, align: number = this.defaultAlign): Allocation {
    if (typeof name !== "string" || name === "") throw new RangeError("an allocation needs a non-empty name");
    if (this.byName.has(name)) throw new Error(`allocation "${name}" already exists`);
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      throw new RangeError(`allocation "${name}": bytes ${bytes} must be a non-negative integer`);
    if (!isPow2(align) || align > 2 ** 40)
      throw new RangeError(`allocation "${name}": align ${align} must be a power of two up to 2^40`);
    const addr = alignUp(this.next, align);
    if (addr + bytes > this.limit)
      throw new RangeError(
        `allocation "${name}" (${bytes} B, align ${align}) does not fit: the simulated address space ends at ${this.limit}`,
      );
    const a: Allocation = Object.freeze({ name, addr, bytes, align });
    this.byName.set(name, a);
    this.list.push(a);
    this.next = addr + bytes;
    this.liveBytes += bytes;
    if (this.next > this.peak) this.peak = this.next;
    return a;
  }

  /** The allocation `name`, allocating it first when it does not exist; an existing one must have the same size. */
  ensure(name: string, bytes: number, align?: number): Allocation {
    const a = this.byName.get(name);
    if (a === undefined) return this.allocate(name, bytes, align);
    if (a.bytes !== bytes) throw new Error(`allocation "${name}" exists with ${a.bytes} B, not ${bytes} B`);
    return a;
  }

  /** Allocate the tensor `ref` (see `tensorKey`). */
  allocateTensor(ref: string, bytes: number, align?: number): Allocation {
    return this.allocate(tensorKey(ref), bytes, align);
  }

  /** Allocate tile buffer `index` of tensor `ref` (see `tileKey`). */
  allocateTile(ref: string, index: number, bytes: number, align?: number): Allocation {
    return this.allocate(tileKey(ref, index), bytes, align);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Allocation | undefined {
    return this.byName.get(name);
  }

  /** Address of a live allocation; throws naming it when there is none. */
  addressOf(name: string): number {
    const a = this.byName.get(name);
    if (a === undefined) throw new Error(`no allocation named "${name}"`);
    return a.addr;
  }

  tensorAddress(ref: string): number {
    return this.addressOf(tensorKey(ref));
  }

  tileAddress(ref: string, index: number): number {
    return this.addressOf(tileKey(ref, index));
  }

  /** The live allocation holding byte `addr`, if any (binary search; zero-byte allocations hold nothing). */
  find(addr: number): Allocation | undefined {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = this.list[mid];
      if (addr < a.addr) hi = mid - 1;
      else if (addr >= a.addr + a.bytes) lo = mid + 1;
      else return a;
    }
    return undefined;
  }

  /** A point to release back to. */
  mark(): AllocatorMark {
    return Object.freeze({ count: this.list.length, next: this.next });
  }

  /** Free every allocation made after `m`; their addresses are handed out again. */
  release(m: AllocatorMark): void {
    if (!Number.isInteger(m.count) || m.count < 0 || m.count > this.list.length)
      throw new RangeError(`mark (${m.count} allocations) is not a mark of this allocator's current state`);
    const boundary = m.count === this.list.length ? this.next : this.list[m.count].addr;
    if (m.next > boundary || (m.count > 0 && m.next < this.list[m.count - 1].addr + this.list[m.count - 1].bytes))
      throw new RangeError("mark does not belong to this allocator's current state (released already?)");
    for (let i = this.list.length - 1; i >= m.count; i--) {
      this.byName.delete(this.list[i].name);
      this.liveBytes -= this.list[i].bytes;
    }
    this.list.length = m.count;
    this.next = m.next;
  }

  /** Number of live allocations. */
  get count(): number {
    return this.list.length;
  }

  /** One past the highest live byte (the next allocation starts at or after it). */
  get end(): number {
    return this.next;
  }

  /** Address space in use, alignment gaps included: end - base. */
  get footprintBytes(): number {
    return this.next - this.base;
  }

  /** Highest footprint ever reached (releases do not lower it). */
  get peakFootprintBytes(): number {
    return this.peak - this.base;
  }

  /** Bytes of the live allocations, without alignment gaps. */
  get allocatedBytes(): number {
    return this.liveBytes;
  }

  /** The live allocations in address order. */
  allocations(): readonly Allocation[] {
    return this.list.slice();
  }
}
