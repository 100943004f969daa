// See systolic.hpp; the specification is src/engine/js/systolic.ts.
#include "systolic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace smaug {

namespace {

// Result offsets (SYSTOLIC_RESULTS in src/engine/types.ts).
enum Result : size_t {
  kRowFolds = 0,
  kColFolds = 1,
  kPerFold = 2,
  kCompute = 3,
  kStall = 4,
  kDrain = 5,
  kStallIfmap = 6,  // then filter, ofmap
  kMacs = 9,
  kMapped = 10,
  kSramIfmap = 11,
  kSramFilter = 12,
  kSramOfmap = 13,
  kDramIfmap = 14,   // then filter, ofmap
  kFillsIfmap = 17,  // then filter fills, ofmap drains
};

constexpr int kOs = 0;
constexpr int kWs = 1;

enum Key : int { kKeyRow = 0, kKeyCol = 1, kKeyUnique = 2 };

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// Layer-wide geometry shared by the three streams (Layer in the spec).
struct Layer {
  int64_t R = 0, C = 0;
  int df = 0;
  int64_t Sr = 0, Sc = 0, T = 0;
  int64_t rowFolds = 0, colFolds = 0, folds = 0, P = 0;
  int64_t bwNum = 0, bwDen = 1;

  int64_t RUsed(int64_t fr) const { return std::min(R, Sr - fr * R); }
  int64_t CUsed(int64_t fc) const { return std::min(C, Sc - fc * C); }
  int64_t Transfer(int64_t words) const {
    if (bwNum == 0) return 0;
    return (words * bwDen + bwNum - 1) / bwNum;
  }
};

class ReadStream {
 public:
  explicit ReadStream(const Layer& L) : L_(L) {}

  void Begin(bool ifmap, int64_t sramWords, int64_t matrixWords) {
    if (L_.df == kOs) {
      streamed_ = true;
      widthIsRows_ = ifmap;
      offsetR_ = false;
      key_ = ifmap ? kKeyRow : kKeyCol;
    } else if ((L_.df == kWs) == ifmap) {
      streamed_ = true;
      widthIsRows_ = true;
      offsetR_ = true;
      key_ = kKeyRow;
    } else {
      streamed_ = false;
      widthIsRows_ = false;
      offsetR_ = false;
      key_ = kKeyUnique;
    }
    half_ = sramWords / 2;
    resident_ = matrixWords <= half_;
    f_ = 0;
    j_ = 0;
    count_ = 0;
    active_ = false;
    portFree_ = 0;
    dramWords = 0;
    fills = 0;
    stalls = 0;
    for (int k = 0; k < 3; ++k) {
      if (!Generate()) break;
      if (resident_ || k < 2) Schedule(k, 0);
    }
  }

  int64_t NextProgress() const {
    if (count_ == 0) return kNever;
    return active_ ? release_[0] : need_[0];
  }
  bool NextIsRelease() const { return active_; }
  void Activate() { active_ = true; }

  // Least total stall the active block's rows used at progress <= q require (-1: none active).
  int64_t Required(int64_t q) const {
    if (!active_) return -1;
    const int64_t w = width_[0];
    const int64_t n = need_[0];
    const int64_t i =
        (L_.bwNum == 0 || w * L_.bwDen < L_.bwNum) ? 0 : std::min(q - n, rows_[0] - 1);
    return start_[0] + L_.Transfer((i + 1) * w) - (n + i);
  }

  void ReleaseAt(int64_t wall) {
    if (count_ == 3 && !resident_) Schedule(2, wall);
    active_ = false;
    for (int k = 0; k < 2; ++k) {
      words_[k] = words_[k + 1];
      rows_[k] = rows_[k + 1];
      width_[k] = width_[k + 1];
      need_[k] = need_[k + 1];
      release_[k] = release_[k + 1];
      start_[k] = start_[k + 1];
    }
    --count_;
    if (Generate() && resident_) Schedule(count_ - 1, 0);
  }

  int64_t dramWords = 0;
  int64_t fills = 0;
  int64_t stalls = 0;

 private:
  bool Generate() {
    while (f_ < L_.folds) {
      const int64_t f = f_;
      const int64_t fr = f % L_.rowFolds;
      const int64_t fc = f / L_.rowFolds;
      const int64_t rUsed = L_.RUsed(fr);
      const int64_t rows = streamed_ ? L_.T : rUsed;
      const int64_t width = widthIsRows_ ? rUsed : L_.CUsed(fc);
      const int64_t offset = streamed_ ? (offsetR_ ? L_.R : 0) : L_.R - rUsed;
      const int64_t base = f * L_.P + offset;
      if (resident_) {
        ++f_;
        const bool isNew = key_ == kKeyRow ? fc == 0 : key_ == kKeyCol ? fr == 0 : true;
        if (isNew) {
          Push(rows, width, base, base + rows);
          return true;
        }
        continue;
      }
      if (rows * width <= half_) {
        ++f_;
        const bool reused =
            key_ == kKeyRow ? (L_.rowFolds == 1 && f > 0) : (key_ == kKeyCol && fr > 0);
        if (reused) continue;
        int64_t last = f;
        if (key_ == kKeyRow && L_.rowFolds == 1) {
          last = L_.folds - 1;
        } else if (key_ == kKeyCol) {
          last = fc * L_.rowFolds + L_.rowFolds - 1;
        }
        Push(rows, width, base, last * L_.P + offset + rows);
        return true;
      }
      const int64_t perBlock = std::max<int64_t>(1, half_ / width);
      const int64_t first = j_ * perBlock;
      const int64_t take = std::min(perBlock, rows - first);
      ++j_;
      if (first + take >= rows) {
        j_ = 0;
        ++f_;
      }
      Push(take, width, base + first, base + first + take);
      return true;
    }
    return false;
  }

  void Push(int64_t rows, int64_t width, int64_t need, int64_t release) {
    const int k = count_++;
    words_[k] = rows * width;
    rows_[k] = rows;
    width_[k] = width;
    need_[k] = need;
    release_[k] = release;
    start_[k] = -1;
  }

  void Schedule(int k, int64_t earliest) {
    const int64_t start = std::max(portFree_, earliest);
    start_[k] = start;
    portFree_ = start + L_.Transfer(words_[k]);
    dramWords += words_[k];
    ++fills;
  }

  const Layer& L_;
  bool streamed_ = false;
  bool widthIsRows_ = false;
  bool offsetR_ = false;
  int key_ = kKeyRow;
  bool resident_ = false;
  int64_t half_ = 0;
  int64_t f_ = 0;
  int64_t j_ = 0;
  // ring of the current block and the two after it
  int64_t words_[3] = {0, 0, 0};
  int64_t rows_[3] = {0, 0, 0};
  int64_t width_[3] = {0, 0, 0};
  int64_t need_[3] = {0, 0, 0};
  int64_t release_[3] = {0, 0, 0};
  int64_t start_[3] = {0, 0, 0};
  int count_ = 0;
  bool active_ = false;
  int64_t portFree_ = 0;
};

class WriteStream {
 public:
  explicit WriteStream(const Layer& L) : L_(L) {}

  void Begin(int64_t sramWords) {
    half_ = sramWords / 2;
    f_ = 0;
    i_ = 0;
    drainPrev2_ = 0;
    drainPrev1_ = 0;
    portFree_ = 0;
    dramWords = 0;
    drains = 0;
    stalls = 0;
    atClose_ = false;
    has_ = Generate();
  }

  int64_t LastDrainEnd() const { return portFree_; }

  int64_t NextProgress() const {
    if (!has_) return kNever;
    return atClose_ ? close_ : open_;
  }
  bool NextIsRelease() const { return atClose_; }

  // The open event at progress p: the least total stall for the half to be drained of block k - 2.
  int64_t OpenAt(int64_t p) {
    atClose_ = true;
    return drainPrev2_ - p;
  }

  void CloseAt(int64_t wall) {
    const int64_t start = std::max(portFree_, wall);
    portFree_ = start + L_.Transfer(words_);
    dramWords += words_;
    ++drains;
    drainPrev2_ = drainPrev1_;
    drainPrev1_ = portFree_;
    atClose_ = false;
    has_ = Generate();
  }

  int64_t dramWords = 0;
  int64_t drains = 0;
  int64_t stalls = 0;

 private:
  bool Generate() {
    int64_t words = 0;
    bool first = true;
    while (f_ < L_.folds) {
      const int64_t fr = f_ % L_.rowFolds;
      const int64_t fc = f_ / L_.rowFolds;
      const int64_t rows = L_.df == kOs ? L_.RUsed(fr) : L_.T;
      const int64_t width = L_.CUsed(fc);
      const int64_t left = rows - i_;
      int64_t take = std::min(left, std::max<int64_t>(0, half_ - words) / width);
      if (first && take == 0) take = 1;
      if (take == 0) break;
      const int64_t p = f_ * L_.P + L_.P - rows + i_;
      if (first) open_ = p;
      first = false;
      close_ = p + take;
      words += take * width;
      i_ += take;
      if (i_ == rows) {
        i_ = 0;
        ++f_;
      }
      if (take < left) break;
    }
    words_ = words;
    return !first;
  }

  const Layer& L_;
  int64_t half_ = 0;
  int64_t f_ = 0;
  int64_t i_ = 0;
  int64_t words_ = 0;
  int64_t open_ = 0;
  int64_t close_ = 0;
  bool has_ = false;
  bool atClose_ = false;
  int64_t drainPrev2_ = 0;
  int64_t drainPrev1_ = 0;
  int64_t portFree_ = 0;
};

void SimulateLayer(const double* params, int64_t E, int64_t K, int64_t N, double* out) {
  Layer L;
  L.R = static_cast<int64_t>(params[0]);
  L.C = static_cast<int64_t>(params[1]);
  L.df = static_cast<int>(params[2]);
  L.bwNum = static_cast<int64_t>(params[6]);
  L.bwDen = static_cast<int64_t>(params[7]);
  if (L.df == kOs) {
    L.Sr = E;
    L.Sc = N;
    L.T = K;
  } else if (L.df == kWs) {
    L.Sr = K;
    L.Sc = N;
    L.T = E;
  } else {
    L.Sr = K;
    L.Sc = E;
    L.T = N;
  }
  L.rowFolds = (L.Sr + L.R - 1) / L.R;
  L.colFolds = (L.Sc + L.C - 1) / L.C;
  L.folds = L.rowFolds * L.colFolds;
  L.P = (L.df == kOs ? L.R : 2 * L.R) + L.C + L.T - 2;

  auto put = [out](size_t field, int64_t v) { out[field] = static_cast<double>(v); };
  put(kRowFolds, L.rowFolds);
  put(kColFolds, L.colFolds);
  put(kPerFold, L.P);
  put(kCompute, L.folds * L.P);
  put(kMacs, E * K * N);
  put(kMapped, L.Sr * L.Sc);
  if (L.df == kOs) {
    put(kSramIfmap, L.colFolds * E * K);
    put(kSramFilter, L.rowFolds * K * N);
    put(kSramOfmap, E * N);
  } else if (L.df == kWs) {
    put(kSramIfmap, L.colFolds * E * K);
    put(kSramFilter, K * N);
    put(kSramOfmap, L.rowFolds * E * N);
  } else {
    put(kSramIfmap, E * K);
    put(kSramFilter, L.colFolds * K * N);
    put(kSramOfmap, L.rowFolds * E * N);
  }

  ReadStream ifmap(L);
  ReadStream filter(L);
  WriteStream ofmap(L);
  ifmap.Begin(true, static_cast<int64_t>(params[3]), E * K);
  filter.Begin(false, static_cast<int64_t>(params[4]), K * N);
  ofmap.Begin(static_cast<int64_t>(params[5]));
  int64_t stalls = 0;
  // Raise the stall total to `need`, charging the difference to `who`.
  auto charge = [&stalls](int64_t need, int64_t& who) {
    if (need > stalls) {
      who += need - stalls;
      stalls = need;
    }
  };
  for (;;) {
    // the next event: least progress; releases/closes before needs; then ifmap, filter, ofmap
    int best = -1;
    int64_t bestKey = kNever;
    const int64_t p0 = ifmap.NextProgress();
    if (p0 != kNever) {
      bestKey = p0 * 2 + (ifmap.NextIsRelease() ? 0 : 1);
      best = 0;
    }
    const int64_t p1 = filter.NextProgress();
    if (p1 != kNever) {
      const int64_t key = p1 * 2 + (filter.NextIsRelease() ? 0 : 1);
      if (key < bestKey) {
        bestKey = key;
        best = 1;
      }
    }
    const int64_t p2 = ofmap.NextProgress();
    if (p2 != kNever) {
      const int64_t key = p2 * 2 + (ofmap.NextIsRelease() ? 0 : 1);
      if (key < bestKey) {
        bestKey = key;
        best = 2;
      }
    }
    if (best < 0) break;
    const int64_t p = bestKey >> 1;
    const bool isRelease = (bestKey & 1) == 0;
    if (!isRelease && best == 0) ifmap.Activate();
    if (!isRelease && best == 1) filter.Activate();
    // catch up: the stall every row used so far requires
    const int64_t q = isRelease ? p - 1 : p;
    charge(ifmap.Required(q), ifmap.stalls);
    charge(filter.Required(q), filter.stalls);
    if (best == 2 && !isRelease) charge(ofmap.OpenAt(p), ofmap.stalls);
    const int64_t wall = p + stalls;
    if (isRelease) {
      if (best == 0) {
        ifmap.ReleaseAt(wall);
      } else if (best == 1) {
        filter.ReleaseAt(wall);
      } else {
        ofmap.CloseAt(wall);
      }
    }
  }
  const int64_t end = L.folds * L.P + stalls;
  put(kStall, stalls);
  put(kDrain, std::max<int64_t>(0, ofmap.LastDrainEnd() - end));
  put(kStallIfmap, ifmap.stalls);
  put(kStallIfmap + 1, filter.stalls);
  put(kStallIfmap + 2, ofmap.stalls);
  put(kDramIfmap, ifmap.dramWords);
  put(kDramIfmap + 1, filter.dramWords);
  put(kDramIfmap + 2, ofmap.dramWords);
  put(kFillsIfmap, ifmap.fills);
  put(kFillsIfmap + 1, filter.fills);
  put(kFillsIfmap + 2, ofmap.drains);
}

bool IsIntIn(double x, double lo, double hi) { return x >= lo && x <= hi && std::floor(x) == x; }

}  // namespace

std::string CheckSystolicParams(const double* p) {
  const double k40 = 1099511627776.0;  // 2^40
  if (!IsIntIn(p[0], 1, 4096)) return "rows must be an integer in [1, 4096]";
  if (!IsIntIn(p[1], 1, 4096)) return "cols must be an integer in [1, 4096]";
  if (!IsIntIn(p[2], 0, 2)) return "dataflow must be 0 (os), 1 (ws) or 2 (is)";
  for (int i = 3; i < 6; ++i) {
    if (!IsIntIn(p[i], 0, k40)) return "SRAM words must be integers in [0, 2^40]";
  }
  if (!IsIntIn(p[6], 0, k40)) return "bandwidthNum must be an integer in [0, 2^40]";
  if (!IsIntIn(p[7], 1, 1048576)) return "bandwidthDen must be an integer in [1, 2^20]";
  return "";
}

std::string CheckSystolicLayer(const double* p, const double* layer) {
  for (size_t i = 0; i < kSystolicLayer; ++i) {
    if (!IsIntIn(layer[i], 1, 2147483648.0)) return "dimensions must be integers in [1, 2^31]";
  }
  // The same bound as checkBounds() in src/accel/systolic.ts, in doubles.
  const double E = layer[0], K = layer[1], N = layer[2];
  const double R = p[0], C = p[1], num = p[6], den = p[7];
  const int df = static_cast<int>(p[2]);
  const double sr = df == kOs ? E : K;
  const double sc = df == 2 ? E : N;
  const double t = df == kOs ? K : df == kWs ? E : N;
  const double folds = std::ceil(sr / R) * std::ceil(sc / C);
  const double compute = folds * (2 * R + C + t);
  const double words = folds * (R + C) * t + E * K + K * N + E * N;
  const double bound = compute + words * (num == 0 ? 1 : den / num + 1) + E * K * N;
  if (!(bound < 2251799813685248.0)) return "layer too large to simulate exactly (2^51)";
  // block words times the bandwidth denominator must stay exact too
  for (int i = 3; i < 6; ++i) {
    if (!((std::max(p[i], std::max(R, C)) + 1) * den < 9007199254740992.0)) {
      return "SRAM words times bandwidthDen exceed 2^53";
    }
  }
  return "";
}

void SimulateSystolic(const double* params, const double* layers, size_t count, double* out) {
  for (size_t i = 0; i < count; ++i) {
    const double* l = layers + i * kSystolicLayer;
    SimulateLayer(params, static_cast<int64_t>(l[0]), static_cast<int64_t>(l[1]),
                  static_cast<int64_t>(l[2]), out + i * kSystolicResults);
  }
}

}  // namespace smaug
