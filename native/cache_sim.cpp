// See cache_sim.hpp; the specification is src/engine/js/cache.ts.
#include "cache_sim.hpp"

#include <algorithm>
#include <cmath>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace smaug {

namespace {

bool IsPowerOfTwo(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// Marsaglia's xorshift32 with shifts 13/17/5; uint32 arithmetic reproduces the spec's
// `x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>> 0` bit for bit (JS int32 ops wrap the same).
inline uint32_t Xorshift32(uint32_t x) {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

// seedFor() in the spec: Math.imul is the low 32 bits of the product, i.e. uint32 multiplication.
uint32_t SeedFor(uint32_t seed, uint32_t cacheIndex) {
  const uint32_t s = seed ^ (0x9E3779B9u * (cacheIndex + 1u));
  return s == 0 ? 1u : s;
}

// ---- set scans ----------------------------------------------------------------------------
// Every miss scans a set twice (for the line, then for an invalid way) and LRU/FIFO scan its
// stamps once more. As plain loops these were most of the instructions per access: GCC does not
// vectorise early-exit loops, and a loop over a runtime way count costs more in control than in
// compares. So the usual associativities (powers of two up to 32) get fully unrolled versions
// that compare 8 (AVX-512) or 4 (AVX2) ways per instruction and build a bit mask. The way count
// is a compile-time constant in the kernels for the common geometries (CacheSim::Run), and is
// switched on per call otherwise, a branch that always goes the same way. Other counts take the
// generic loops. -march=native picks the widest instructions the machine has; every path returns
// the same answer ("first index", the spec's lowest-way rule), which the equivalence test checks.

#define SMAUG_INLINE inline __attribute__((always_inline))

// Bit w set iff v[w] == key, for w < N (N a power of two, at most 32).
template <uint32_t N>
SMAUG_INLINE uint32_t EqMask(const uint64_t* v, uint64_t key) {
  uint32_t m = 0;
#if defined(__AVX512F__)
  if constexpr (N >= 8) {
    const __m512i k = _mm512_set1_epi64(static_cast<long long>(key));
#pragma GCC unroll 4
    for (uint32_t i = 0; i < N; i += 8) {
      m |= uint32_t{_mm512_cmpeq_epi64_mask(_mm512_loadu_si512(v + i), k)} << i;
    }
    return m;
  }
#endif
#if defined(__AVX2__)
  if constexpr (N >= 4) {
    const __m256i k = _mm256_set1_epi64x(static_cast<long long>(key));
#pragma GCC unroll 8
    for (uint32_t i = 0; i < N; i += 4) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i));
      m |= static_cast<uint32_t>(_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(x, k))))
           << i;
    }
    return m;
  }
#endif
#pragma GCC unroll 32
  for (uint32_t i = 0; i < N; ++i) m |= uint32_t{v[i] == key} << i;
  return m;
}

template <uint32_t N>
SMAUG_INLINE uint32_t FirstEq(const uint64_t* v, uint64_t key) {
  const uint32_t m = EqMask<N>(v, key);
  return m != 0 ? static_cast<uint32_t>(__builtin_ctz(m)) : N;
}

// Index of the first element of v[0, n) equal to key, or n.
SMAUG_INLINE uint32_t FindFirst(const uint64_t* v, uint32_t n, uint64_t key) {
  switch (n) {
    case 1: return v[0] == key ? 0 : 1;
    case 2: return FirstEq<2>(v, key);
    case 4: return FirstEq<4>(v, key);
    case 8: return FirstEq<8>(v, key);
    case 16: return FirstEq<16>(v, key);
    case 32: return FirstEq<32>(v, key);
    default: break;
  }
  uint32_t w = 0;
#if defined(__AVX512F__)
  // Large (fully associative) sets: 8 ways per compare; the tail is masked, so nothing past
  // the set is read.
  const __m512i k8 = _mm512_set1_epi64(static_cast<long long>(key));
  for (; w + 8 <= n; w += 8) {
    const __mmask8 m = _mm512_cmpeq_epi64_mask(_mm512_loadu_si512(v + w), k8);
    if (m != 0) return w + static_cast<uint32_t>(__builtin_ctz(m));
  }
  if (w < n) {
    const __mmask8 tail = static_cast<__mmask8>((1u << (n - w)) - 1);
    const __mmask8 m =
        _mm512_mask_cmpeq_epi64_mask(tail, _mm512_maskz_loadu_epi64(tail, v + w), k8);
    if (m != 0) return w + static_cast<uint32_t>(__builtin_ctz(m));
  }
  return n;
#else
  for (; w < n; ++w) {
    if (v[w] == key) return w;
  }
  return n;
#endif
}

// One round of a tournament over val/idx[0, 2W): neighbours 2i and 2i + 1 play, the left one
// wins ties, and the winner moves to i. Entrant i always stands for a block of positions below
// those of entrant i + 1, so after log2(N) rounds the winner is the first smallest element: the
// spec's strict-< linear scan, in log2(N) dependent steps instead of N.
template <uint32_t W>
SMAUG_INLINE void TournamentRound(uint64_t* val, uint32_t* idx) {
#pragma GCC unroll 16
  for (uint32_t i = 0; i < W; ++i) {
    const bool right = val[2 * i + 1] < val[2 * i];
    idx[i] = right ? idx[2 * i + 1] : idx[2 * i];
    val[i] = right ? val[2 * i + 1] : val[2 * i];
  }
  if constexpr (W > 1) TournamentRound<W / 2>(val, idx);
}

// Index of the first smallest element of v[0, N), N a power of two.
template <uint32_t N>
SMAUG_INLINE uint32_t ArgMinTree(const uint64_t* v) {
  uint64_t val[N];
  uint32_t idx[N];
#pragma GCC unroll 32
  for (uint32_t i = 0; i < N; ++i) {
    val[i] = v[i];
    idx[i] = i;
  }
  TournamentRound<N / 2>(val, idx);
  return idx[0];
}

#if defined(__AVX512F__)
// The same for 8 or 16 elements: a min-reduction that leaves the minimum in every lane (so it
// never leaves the vector unit), then one compare for its first position. The maskz forms avoid
// GCC 12's bogus -Wmaybe-uninitialized on the plain intrinsics.
template <uint32_t N>
SMAUG_INLINE uint32_t ArgMinVec(const uint64_t* v) {
  static_assert(N == 8 || N == 16, "one or two vectors");
  constexpr __mmask8 kAll = 0xFF;
  const __m512i a = _mm512_loadu_si512(v);
  const __m512i b = N == 16 ? _mm512_loadu_si512(v + 8) : a;
  __m512i m = _mm512_maskz_min_epu64(kAll, a, b);
  m = _mm512_maskz_min_epu64(kAll, m, _mm512_maskz_shuffle_i64x2(kAll, m, m, 0x4E));
  m = _mm512_maskz_min_epu64(kAll, m, _mm512_maskz_shuffle_i64x2(kAll, m, m, 0xB1));
  m = _mm512_maskz_min_epu64(kAll, m, _mm512_maskz_shuffle_epi32(0xFFFF, m, _MM_PERM_BADC));
  uint32_t mask = _mm512_cmpeq_epi64_mask(a, m);
  if (N == 16) mask |= uint32_t{_mm512_cmpeq_epi64_mask(b, m)} << 8;
  return static_cast<uint32_t>(__builtin_ctz(mask));
}
#endif

// Index of the first smallest element of v[0, n), n >= 1.
SMAUG_INLINE uint32_t ArgMin(const uint64_t* v, uint32_t n) {
  switch (n) {
    case 1: return 0;
    case 2: return ArgMinTree<2>(v);
    case 4: return ArgMinTree<4>(v);
#if defined(__AVX512F__)
    case 8: return ArgMinVec<8>(v);
    case 16: return ArgMinVec<16>(v);
#else
    case 8: return ArgMinTree<8>(v);
    case 16: return ArgMinTree<16>(v);
#endif
    default: break;
  }
  uint64_t best = v[0];
  for (uint32_t w = 1; w < n; ++w) best = std::min(best, v[w]);  // vectorised by GCC
  return FindFirst(v, n, best);
}

// Whether a JS number is a non-negative integer not above 2^48; false for NaN and infinities, so
// the double -> uint64 conversions in Run() are always defined.
inline bool IsAddressLike(double x) { return x >= 0 && x <= kAddressLimit && std::floor(x) == x; }

}  // namespace

std::string CheckParams(const CacheParams& p) {
  if (p.cores < 1 || p.cores > 32) return "cores must be in [1, 32]";
  if (p.ports > 64) return "ports must be in [0, 64]";
  // Lines of a 2^48 address space: a wider line would make every address line 0, which is
  // harmless but certainly a mistake.
  if (p.lineBits > 48) return "lineBits must be in [0, 48]";
  if (!IsPowerOfTwo(p.l1Sets) || !IsPowerOfTwo(p.llcSets)) return "sets must be powers of two";
  if (p.l1Ways < 1 || p.llcWays < 1) return "ways must be at least 1";
  if (p.l1Repl > kRandom || p.llcRepl > kRandom) return "unknown replacement policy code";
  // Factors first: l1Sets * l1Ways * cores could wrap around even in 64 bits.
  const bool factorsFit = p.l1Sets <= kMaxSlots && p.l1Ways <= kMaxSlots &&
                          p.llcSets <= kMaxSlots && p.llcWays <= kMaxSlots;
  if (!factorsFit || uint64_t{p.l1Sets} * p.l1Ways * p.cores > kMaxSlots ||
      uint64_t{p.llcSets} * p.llcWays > kMaxSlots) {
    return "cache too large for the native engine (more than 2^26 lines)";
  }
  return std::string();
}

int64_t CheckRuns(const double* addr, const double* bytes, const uint8_t* op,
                  const uint8_t* requester, size_t count, uint32_t numRequesters,
                  std::string* why) {
  // This pass reads the whole batch once more before Run(); with single-line runs it cost ~8%
  // of the simulation as an early-exit loop. Branch-free OR-accumulation lets GCC vectorise it
  // (std::floor would block that: it may not be vectorised under the default -ftrapping-math),
  // and only a bad batch pays for the third loop, which finds and explains the first bad run.
  // Integrality: for 0 <= x <= 2^48, x + 2^52 lies where doubles are spaced 1 apart, so the sum
  // rounds x to an integer (round-to-nearest, the default) and subtracting 2^52 gives x back
  // exactly iff x was one. NaN fails every comparison.
  constexpr double kTwo52 = 4503599627370496.0;
  uint64_t bad = 0;
  for (size_t i = 0; i < count; ++i) {
    const double a = addr[i];
    const double b = bytes[i];
    const bool good = (a >= 0) & (b >= 0) & (a + b <= kAddressLimit) &
                      ((a + kTwo52) - kTwo52 == a) & ((b + kTwo52) - kTwo52 == b);
    bad |= uint64_t{!good};
  }
  uint32_t badCodes = 0;
  for (size_t i = 0; i < count; ++i) {
    badCodes |= uint32_t{op[i] > kInvalidate} | uint32_t{requester[i] >= numRequesters};
  }
  const bool ok = bad == 0 && badCodes == 0;
  if (ok) return -1;
  for (size_t i = 0; i < count; ++i) {
    const double a = addr[i];
    const double b = bytes[i];
    if (!IsAddressLike(a) || !IsAddressLike(b) || a + b > kAddressLimit) {
      *why = "addresses and sizes must be non-negative integers with addr + bytes <= 2^48";
      return static_cast<int64_t>(i);
    }
    if (op[i] > kInvalidate) {
      *why = "op codes must be 0 (read), 1 (write), 2 (flush) or 3 (invalidate)";
      return static_cast<int64_t>(i);
    }
    if (requester[i] >= numRequesters) {
      *why = "requester must be below cores + ports";
      return static_cast<int64_t>(i);
    }
  }
  return -1;  // unreachable unless another thread rewrote the batch meanwhile
}

// ---- the simulator ------------------------------------------------------------------------

namespace {

// Tag of an empty way. Lines are < 2^48, so no real line can collide with it.
constexpr uint64_t kInvalidTag = UINT64_MAX;

// l1Meta_ layout: the spec's state bits (S = 0, E = EXCL, M = EXCL | DIRTY) on top of the LLC
// slot; slots are below kMaxSlots = 2^26, so they never reach the state bits.
constexpr uint32_t kDirty = 1u << 30;
constexpr uint32_t kExcl = 1u << 31;
constexpr uint32_t kSlotMask = kDirty - 1;
static_assert(kMaxSlots <= kSlotMask + uint64_t{1}, "LLC slots must fit below the state bits");

// How many runs ahead Run() prefetches (Kernel::Prefetch): far enough to cover a host memory
// access with the ~20 ns one simulated access takes, near enough not to evict what is still
// needed. 2, 4 and 8 were measured; 8 was best on random single-line runs.
constexpr size_t kPrefetchRuns = 8;

}  // namespace

// Raw views of the state and geometry for one Run() call. It lives on Run()'s stack, its address
// never escapes and every method is forced inline, so GCC keeps its fields in registers (or its
// own spill slots). Working on the members directly, GCC reloaded the array pointers out of
// `this` after every byte store (the LLC dirty flags: a char store may alias anything), several
// times per access; this cut the instructions per access by about 15%. The methods follow
// src/engine/js/cache.ts one for one, in the same order.
template <uint32_t kL1Ways, uint32_t kLlcWays>
struct CacheSim::Kernel {
  uint64_t* l1Tag;
  uint64_t* l1Stamp;
  uint32_t* l1Meta;
  uint64_t* l1Clock;
  uint64_t* llcTag;
  uint64_t* llcStamp;
  uint32_t* llcSharers;
  uint8_t* llcDirty;
  uint32_t* rng;
  uint64_t* counters;
  uint64_t llcClock;
  uint64_t l1SetMask;
  uint64_t llcSetMask;
  size_t l1Slots;  // slots per core
  uint32_t cores;
  uint32_t l1WaysRt;  // use L1Ways() and LlcWays()
  uint32_t llcWaysRt;
  uint32_t l1Repl;
  uint32_t llcRepl;

  explicit Kernel(CacheSim& s)
      : l1Tag(s.l1Tag_.data()),
        l1Stamp(s.l1Stamp_.data()),
        l1Meta(s.l1Meta_.data()),
        l1Clock(s.l1Clock_.data()),
        llcTag(s.llcTag_.data()),
        llcStamp(s.llcStamp_.data()),
        llcSharers(s.llcSharers_.data()),
        llcDirty(s.llcDirty_.data()),
        rng(s.rng_.data()),
        counters(s.cnt_.data()),
        llcClock(s.llcClock_),
        l1SetMask(uint64_t{s.p_.l1Sets} - 1),
        llcSetMask(uint64_t{s.p_.llcSets} - 1),
        l1Slots(size_t{s.p_.l1Sets} * s.p_.l1Ways),
        cores(s.p_.cores),
        l1WaysRt(s.p_.l1Ways),
        llcWaysRt(s.p_.llcWays),
        l1Repl(s.p_.l1Repl),
        llcRepl(s.p_.llcRepl) {}

  // Associativities: compile-time constants in the kernels Run() picks for the common
  // geometries, so the set scans unroll without a dispatch and two registers are freed.
  SMAUG_INLINE uint32_t L1Ways() const { return kL1Ways != 0 ? kL1Ways : l1WaysRt; }
  SMAUG_INLINE uint32_t LlcWays() const { return kLlcWays != 0 ? kLlcWays : llcWaysRt; }

  // Start loading the LLC set that a run some way ahead begins in. With short runs at scattered
  // addresses (random accesses) nearly every access otherwise waits for host memory on the
  // set's tags, stamps and directory: the simulated LLC is megabytes of state. Measured: +20% on
  // random single-line runs through a 2 MiB LLC, +5% sequential, but -8% on single-line runs at
  // a 4 KiB stride, whose few sets stay cached anyway and only pay for the look-ahead.
  SMAUG_INLINE void Prefetch(double a, uint32_t lineBits) const {
    if (!(a >= 0 && a < kAddressLimit)) return;  // checked later; keep the conversion defined
    const size_t base = ((static_cast<uint64_t>(a) >> lineBits) & llcSetMask) * LlcWays();
    __builtin_prefetch(llcTag + base);
    __builtin_prefetch(llcStamp + base);
    if (LlcWays() > 8) {  // 16 ways of tags or stamps span two host cache lines
      __builtin_prefetch(llcTag + base + 8);
      __builtin_prefetch(llcStamp + base + 8);
    }
    __builtin_prefetch(llcSharers + base);
    __builtin_prefetch(llcDirty + base);
  }

  // ---- lookups ----------------------------------------------------------------------------

  // Slot of `line` in core c's L1, or SIZE_MAX.
  SMAUG_INLINE size_t L1Find(uint32_t c, uint64_t line) const {
    const size_t base = c * l1Slots + (line & l1SetMask) * L1Ways();
    const uint32_t w = FindFirst(l1Tag + base, L1Ways(), line);
    return w < L1Ways() ? base + w : SIZE_MAX;
  }

  SMAUG_INLINE size_t LlcFind(uint64_t line) const {
    const size_t base = (line & llcSetMask) * LlcWays();
    const uint32_t w = FindFirst(llcTag + base, LlcWays(), line);
    return w < LlcWays() ? base + w : SIZE_MAX;
  }

  // The spec's probe() victim rule for a set with no invalid way (callers look for one first:
  // the spec's first rule). LRU and FIFO take the first way with the smallest stamp, like the
  // spec's strict-< scan (valid stamps are distinct anyway).
  SMAUG_INLINE static size_t Victim(const uint64_t* stamps, size_t base, uint32_t ways,
                                    uint32_t repl, uint32_t* state) {
    if (repl == kRandom) {
      const uint32_t x = Xorshift32(*state);
      *state = x;
      return base + x % ways;
    }
    return base + ArgMin(stamps + base, ways);
  }

  // ---- core (through its L1) --------------------------------------------------------------

  template <bool kIsWrite>
  SMAUG_INLINE void CoreAccess(uint32_t c, uint64_t line) {
    uint64_t* cnt = counters + size_t{c} * kNumCounters;
    const uint32_t bit = 1u << c;
    cnt[kL1Accesses]++;
    const size_t base = c * l1Slots + (line & l1SetMask) * L1Ways();
    const uint32_t w = FindFirst(l1Tag + base, L1Ways(), line);
    if (w < L1Ways()) {
      const size_t hit = base + w;
      cnt[kL1Hits]++;
      if (l1Repl == kLru) l1Stamp[hit] = ++l1Clock[c];
      if (kIsWrite) {
        if ((l1Meta[hit] & kExcl) == 0) {
          // Upgrade S -> M: the directory invalidates the other sharers (clean, since shared).
          const size_t j = l1Meta[hit] & kSlotMask;
          InvalidateSharers(j, line, llcSharers[j] & ~bit, cnt);
          llcSharers[j] = bit;
        }
        l1Meta[hit] |= kExcl | kDirty;
      }
      return;
    }
    cnt[kL1Misses]++;

    // 1. free the L1 way
    const uint32_t freeWay = FindFirst(l1Tag + base, L1Ways(), kInvalidTag);
    size_t slot;
    if (freeWay < L1Ways()) {
      slot = base + freeWay;
    } else {
      slot = Victim(l1Stamp, base, L1Ways(), l1Repl, rng + c);
      cnt[kL1Evictions]++;
      const uint32_t meta = l1Meta[slot];
      const size_t j = meta & kSlotMask;
      if ((meta & kDirty) != 0) {
        cnt[kL1Writebacks]++;
        llcDirty[j] = 1;
      }
      llcSharers[j] &= ~bit;
      // Invalid before the LLC access: a back-invalidation in step 2 must not see this copy.
      l1Tag[slot] = kInvalidTag;
    }

    // 2. the LLC
    const size_t j = LlcAccess(c, line);

    // 3. coherence with the other cores
    const uint32_t others = llcSharers[j] & ~bit;
    uint32_t state;
    if (kIsWrite) {
      // Read for ownership: a dirty copy elsewhere hands its data over, so no write-back.
      InvalidateSharers(j, line, others, cnt);
      llcSharers[j] = bit;
      state = kExcl | kDirty;
    } else if (others != 0) {
      DowngradeSharers(j, line, others, cnt, true);
      llcSharers[j] |= bit;
      state = 0;
    } else {
      llcSharers[j] = bit;
      state = kExcl;
    }

    // 4. fill
    l1Tag[slot] = line;
    l1Meta[slot] = state | static_cast<uint32_t>(j);
    l1Stamp[slot] = ++l1Clock[c];
  }

  // ---- accelerator port (ACP, at the LLC) -------------------------------------------------

  template <bool kIsWrite>
  SMAUG_INLINE void PortAccess(uint32_t req, uint64_t line) {
    uint64_t* cnt = counters + size_t{req} * kNumCounters;
    const size_t j = LlcAccess(req, line);
    const uint32_t sharers = llcSharers[j];
    if (sharers == 0) {
      if (kIsWrite) llcDirty[j] = 1;
      return;
    }
    if (kIsWrite) {
      // dirty copies merge into the LLC first, then every private copy is invalidated
      DowngradeSharers(j, line, sharers, cnt, false);
      InvalidateSharers(j, line, sharers, cnt);
      llcSharers[j] = 0;
      llcDirty[j] = 1;
    } else {
      // the accelerator does not cache, so a core keeps its (now clean) exclusive copy
      DowngradeSharers(j, line, sharers, cnt, false);
    }
  }

  // ---- shared pieces ----------------------------------------------------------------------

  // Access the LLC for `req`; on a miss fetch from DRAM into a victim way. Returns the slot.
  SMAUG_INLINE size_t LlcAccess(uint32_t req, uint64_t line) {
    uint64_t* cnt = counters + size_t{req} * kNumCounters;
    cnt[kLlcAccesses]++;
    const size_t base = (line & llcSetMask) * LlcWays();
    const uint32_t w = FindFirst(llcTag + base, LlcWays(), line);
    if (w < LlcWays()) {
      cnt[kLlcHits]++;
      if (llcRepl == kLru) llcStamp[base + w] = ++llcClock;
      return base + w;
    }
    cnt[kLlcMisses]++;
    const uint32_t freeWay = FindFirst(llcTag + base, LlcWays(), kInvalidTag);
    size_t slot;
    if (freeWay < LlcWays()) {
      slot = base + freeWay;
    } else {
      slot = Victim(llcStamp, base, LlcWays(), llcRepl, rng + cores);
      const uint64_t old = llcTag[slot];
      cnt[kLlcEvictions]++;
      uint32_t dirty = llcDirty[slot];
      // Each sharer's copy is handled on its own and the results are OR-ed and counted, so the
      // order of the visit cannot matter.
      for (uint32_t m = llcSharers[slot]; m != 0; m &= m - 1) {
        const size_t i = L1Find(static_cast<uint32_t>(__builtin_ctz(m)), old);
        // The directory guarantees a copy; the guard only mirrors the spec, where a missing
        // copy would read as clean and still be counted.
        if (i != SIZE_MAX) {
          dirty |= l1Meta[i] & kDirty;
          l1Tag[i] = kInvalidTag;
        }
        cnt[kBackInvalidations]++;
      }
      if (dirty != 0) cnt[kLlcWritebacks]++;
    }
    llcTag[slot] = line;
    llcDirty[slot] = 0;
    llcSharers[slot] = 0;
    llcStamp[slot] = ++llcClock;
    return slot;
  }

  // Invalidate the L1 copies of `line` held by the cores in `mask`, counting coherence
  // invalidations in `cnt`.
  SMAUG_INLINE void InvalidateSharers(size_t j, uint64_t line, uint32_t mask, uint64_t* cnt) {
    if (mask == 0) return;
    for (uint32_t m = mask; m != 0; m &= m - 1) {
      const size_t i = L1Find(static_cast<uint32_t>(__builtin_ctz(m)), line);
      if (i != SIZE_MAX) l1Tag[i] = kInvalidTag;
      cnt[kCoherenceInvalidations]++;
    }
    llcSharers[j] &= ~mask;
  }

  // Cores in `mask` holding `line` dirty write it back into the LLC (coherence write-backs in
  // `cnt`); with `toShared` every copy also loses exclusivity.
  SMAUG_INLINE void DowngradeSharers(size_t j, uint64_t line, uint32_t mask, uint64_t* cnt,
                                     bool toShared) {
    const uint32_t clear = toShared ? kDirty | kExcl : kDirty;
    for (uint32_t m = mask; m != 0; m &= m - 1) {
      const size_t i = L1Find(static_cast<uint32_t>(__builtin_ctz(m)), line);
      if (i == SIZE_MAX) continue;
      if ((l1Meta[i] & kDirty) != 0) {
        cnt[kCoherenceWritebacks]++;
        llcDirty[j] = 1;
      }
      l1Meta[i] &= ~clear;
    }
  }

  // Flush (write back + invalidate) or invalidate `line` everywhere, on behalf of `req`.
  // Not an access: no replacement state changes.
  SMAUG_INLINE void Drop(uint32_t req, uint64_t line, bool flush) {
    uint64_t* cnt = counters + size_t{req} * kNumCounters;
    cnt[flush ? kFlushLines : kInvalidateLines]++;
    const size_t j = LlcFind(line);
    if (j == SIZE_MAX) return;  // inclusion: no L1 has it either
    uint32_t dirty = llcDirty[j];
    for (uint32_t m = llcSharers[j]; m != 0; m &= m - 1) {
      const size_t i = L1Find(static_cast<uint32_t>(__builtin_ctz(m)), line);
      if (i == SIZE_MAX) continue;
      dirty |= l1Meta[i] & kDirty;
      l1Tag[i] = kInvalidTag;
    }
    cnt[flush ? kFlushPresent : kInvalidatePresent]++;
    if (dirty != 0) cnt[flush ? kFlushDirty : kInvalidateDirty]++;
    llcTag[j] = kInvalidTag;
    llcDirty[j] = 0;
    llcSharers[j] = 0;
    llcStamp[j] = 0;
  }
};

CacheSim::CacheSim(const CacheParams& p) : p_(p) {
  const size_t l1Total = size_t{p.l1Sets} * p.l1Ways * p.cores;
  const size_t llcTotal = size_t{p.llcSets} * p.llcWays;
  l1Tag_.resize(l1Total);
  l1Stamp_.resize(l1Total);
  l1Meta_.resize(l1Total);
  l1Clock_.resize(p.cores);
  llcTag_.resize(llcTotal);
  llcStamp_.resize(llcTotal);
  llcSharers_.resize(llcTotal);
  llcDirty_.resize(llcTotal);
  rng_.resize(size_t{p.cores} + 1);
  cnt_.resize(size_t{p.cores + p.ports} * kNumCounters);
  Reset();
}

void CacheSim::Reset() {
  std::fill(l1Tag_.begin(), l1Tag_.end(), kInvalidTag);
  std::fill(l1Stamp_.begin(), l1Stamp_.end(), 0);
  std::fill(l1Meta_.begin(), l1Meta_.end(), 0);
  std::fill(l1Clock_.begin(), l1Clock_.end(), 0);
  std::fill(llcTag_.begin(), llcTag_.end(), kInvalidTag);
  std::fill(llcStamp_.begin(), llcStamp_.end(), 0);
  std::fill(llcSharers_.begin(), llcSharers_.end(), 0);
  std::fill(llcDirty_.begin(), llcDirty_.end(), 0);
  llcClock_ = 0;
  for (uint32_t k = 0; k <= p_.cores; ++k) rng_[k] = SeedFor(p_.seed, k);
  std::fill(cnt_.begin(), cnt_.end(), 0);
}

template <uint32_t kL1Ways, uint32_t kLlcWays>
void CacheSim::RunWith(const double* addr, const double* bytes, const uint8_t* op,
                       const uint8_t* requester, size_t count) {
  Kernel<kL1Ways, kLlcWays> k(*this);
  const uint32_t cores = p_.cores;
  const uint32_t numRequesters = cores + p_.ports;
  const uint32_t lineBits = p_.lineBits;
  for (size_t i = 0; i < count; ++i) {
    if (i + kPrefetchRuns < count) k.Prefetch(addr[i + kPrefetchRuns], lineBits);
    // Each element is read exactly once, so the bounds re-check below covers what is used.
    const double a = addr[i];
    const double b = bytes[i];
    const uint8_t o = op[i];
    const uint32_t req = requester[i];
    if (b == 0) continue;
    if (!(a >= 0 && b > 0 && a + b <= kAddressLimit) || o > kInvalidate || req >= numRequesters) {
      continue;
    }
    // Math.floor(x / 2^lineBits) in the spec; exact because a and b are integers below 2^48.
    const uint64_t ua = static_cast<uint64_t>(a);
    const uint64_t first = ua >> lineBits;
    const uint64_t last = (ua + static_cast<uint64_t>(b) - 1) >> lineBits;
    switch (o) {
      case kRead:
        if (req < cores) {
          for (uint64_t line = first; line <= last; ++line) k.template CoreAccess<false>(req, line);
        } else {
          for (uint64_t line = first; line <= last; ++line) k.template PortAccess<false>(req, line);
        }
        break;
      case kWrite:
        if (req < cores) {
          for (uint64_t line = first; line <= last; ++line) k.template CoreAccess<true>(req, line);
        } else {
          for (uint64_t line = first; line <= last; ++line) k.template PortAccess<true>(req, line);
        }
        break;
      default:
        for (uint64_t line = first; line <= last; ++line) k.Drop(req, line, o == kFlush);
        break;
    }
  }
  llcClock_ = k.llcClock;
}

// Kernels with the associativity built in for the common geometries (SMAUG's baseline is a 4-way
// L1D and a 16-way LLC); any other takes the general kernel, whose set scans dispatch on the way
// count at run time. Each kernel is a full copy of the access paths (~30 KB of code).
void CacheSim::Run(const double* addr, const double* bytes, const uint8_t* op,
                   const uint8_t* requester, size_t count) {
  const uint32_t l1 = p_.l1Ways;
  const uint32_t llc = p_.llcWays;
  if (l1 == 4 && llc == 16) return RunWith<4, 16>(addr, bytes, op, requester, count);
  if (l1 == 8 && llc == 16) return RunWith<8, 16>(addr, bytes, op, requester, count);
  if (l1 == 4 && llc == 8) return RunWith<4, 8>(addr, bytes, op, requester, count);
  if (l1 == 8 && llc == 8) return RunWith<8, 8>(addr, bytes, op, requester, count);
  RunWith<0, 0>(addr, bytes, op, requester, count);
}

}  // namespace smaug
