// The cache-hierarchy simulator in C++: a port of src/engine/js/cache.ts, which is the
// specification. Every counter must come out bit-identical to that file for identical input, so
// the event order, the replacement rule and the generator seeding follow it step by step; the
// comments here say where and why the representation differs, not what the model is (read the
// spec's doc comment for that).
//
// No Node-API in this file: the simulator can be tested and profiled as plain C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace smaug {

// Counter order of COUNTERS in src/engine/types.ts.
enum Counter : uint32_t {
  kL1Accesses = 0,
  kL1Hits,
  kL1Misses,
  kL1Evictions,
  kL1Writebacks,
  kLlcAccesses,
  kLlcHits,
  kLlcMisses,
  kLlcEvictions,
  kLlcWritebacks,
  kFlushLines,
  kFlushPresent,
  kFlushDirty,
  kInvalidateLines,
  kInvalidatePresent,
  kInvalidateDirty,
  kCoherenceWritebacks,
  kCoherenceInvalidations,
  kBackInvalidations,
  kNumCounters  // NUM_COUNTERS in types.ts (19)
};

enum Repl : uint32_t { kLru = 0, kFifo = 1, kRandom = 2 };
enum Op : uint8_t { kRead = 0, kWrite = 1, kFlush = 2, kInvalidate = 3 };

struct CacheParams {
  uint32_t cores;     // [1, 32]: sharer masks are uint32
  uint32_t ports;     // [0, 64]
  uint32_t lineBits;  // [0, 48]
  uint32_t l1Sets;    // power of two
  uint32_t l1Ways;    // >= 1
  uint32_t l1Repl;
  uint32_t llcSets;  // power of two
  uint32_t llcWays;  // >= 1
  uint32_t llcRepl;
  uint32_t seed;
};

// Addresses are doubles on the JS side; the spec guarantees integers with addr + bytes <= 2^48,
// which doubles represent exactly.
constexpr double kAddressLimit = 281474976710656.0;  // 2^48

// Upper bound on the slots (sets * ways) of the LLC and of all L1s together: 2 GiB of 32-byte
// lines. Not part of the model: it keeps a typo in a configuration from asking for tens of
// gigabytes (about 21 bytes per slot), and it lets an LLC slot number share a uint32 with the L1
// state bits (l1Meta_ below).
constexpr uint64_t kMaxSlots = uint64_t{1} << 26;

// Returns an empty string if `p` describes a hierarchy this simulator can build, otherwise a
// short reason. The addon turns the reason into a RangeError instead of letting the constructor
// index out of bounds or allocate without limit.
std::string CheckParams(const CacheParams& p);

// Returns -1 if runs [0, count) are well formed (integral addresses and sizes within 2^48, known
// op codes, requester < numRequesters), otherwise the index of the first bad run; `why` gets a
// short reason.
int64_t CheckRuns(const double* addr, const double* bytes, const uint8_t* op,
                  const uint8_t* requester, size_t count, uint32_t numRequesters, std::string* why);

class CacheSim {
 public:
  // `p` must have passed CheckParams.
  explicit CacheSim(const CacheParams& p);

  // Empty every cache, zero every counter, re-seed the generators.
  void Reset();

  // Simulate runs [0, count) in order. The runs should have passed CheckRuns; a run that fails
  // the cheap bounds re-check here (possible only if another thread rewrites shared memory
  // between the check and the run) is skipped rather than allowed to index out of bounds.
  void Run(const double* addr, const double* bytes, const uint8_t* op, const uint8_t* requester,
           size_t count);

  // (cores + ports) * kNumCounters values; requester r's block starts at r * kNumCounters.
  const std::vector<uint64_t>& counters() const { return cnt_; }
  uint32_t numRequesters() const { return p_.cores + p_.ports; }

 private:
  // Raw views of this state for one Run() call, and Run() for a given associativity (0: any);
  // see cache_sim.cpp.
  template <uint32_t kL1Ways, uint32_t kLlcWays>
  struct Kernel;
  template <uint32_t kL1Ways, uint32_t kLlcWays>
  void RunWith(const double* addr, const double* bytes, const uint8_t* op, const uint8_t* requester,
               size_t count);

  CacheParams p_;

  // Structure of arrays, slot = set * ways + way (core c's L1 owns slots [c * l1Sets * l1Ways,
  // (c + 1) * l1Sets * l1Ways)), so the scan of a set reads consecutive words: one or two host
  // cache lines of tags for the usual 4- to 16-way sets, and as many of stamps, which only LRU
  // and FIFO victim choices read.
  std::vector<uint64_t> l1Tag_;  // line number, or kInvalidTag (cache_sim.cpp)
  std::vector<uint64_t> l1Stamp_;
  // MESI state in the top two bits, and below them the LLC slot holding the same line (the
  // spec's l1Home): an LLC line never moves between ways and every change of an LLC slot first
  // invalidates the L1 copies (inclusion), so it stays exact while the L1 line is valid.
  std::vector<uint32_t> l1Meta_;
  std::vector<uint64_t> l1Clock_;

  std::vector<uint64_t> llcTag_;
  std::vector<uint64_t> llcStamp_;
  std::vector<uint32_t> llcSharers_;  // directory: bit c set iff core c's L1 holds the line
  std::vector<uint8_t> llcDirty_;
  uint64_t llcClock_ = 0;

  // xorshift32 states: index c for core c's L1, index `cores` for the LLC.
  std::vector<uint32_t> rng_;
  std::vector<uint64_t> cnt_;
};

}  // namespace smaug
