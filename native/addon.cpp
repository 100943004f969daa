// Node-API binding of the cache simulator (cache_sim.hpp): the `CacheCore` class that
// src/engine/native.ts wraps into the engine contract of src/engine/types.ts.
//
// A call across Node-API costs tens of nanoseconds, so the only hot entry point, run(), takes a
// whole batch of runs as typed arrays and reads them in place (TypedArray::Data(), no copy).
// TypeScript validates values before they get here, but a wrong call must still surface as a
// JS exception, never as a crash: every argument is checked, including the batch contents.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "cache_sim.hpp"
#include "systolic.hpp"

namespace {

constexpr size_t kNumParams = 10;

// A typed array argument of one exact element type, or a TypeError naming the argument.
template <typename T>
Napi::TypedArrayOf<T> TypedArg(const Napi::CallbackInfo& info, size_t index, const char* name,
                               napi_typedarray_type type, const char* typeName) {
  const Napi::Value v = info[index];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a " + typeName);
  }
  return v.As<Napi::TypedArrayOf<T>>();
}

// A parameter that must be an integer in [lo, hi]; doubles are checked before the conversion so
// that NaN or 1e300 cannot reach a uint32 cast (undefined behaviour).
uint32_t IntParam(Napi::Env env, const double* params, size_t i, const char* name, double lo,
                  double hi) {
  const double x = params[i];
  if (!(x >= lo && x <= hi) || std::floor(x) != x) {
    throw Napi::RangeError::New(env, std::string("CacheCore: ") + name + " out of range");
  }
  return static_cast<uint32_t>(x);
}

class CacheCore : public Napi::ObjectWrap<CacheCore> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = DefineClass(env, "CacheCore",
                                      {
                                          InstanceMethod<&CacheCore::Run>("run"),
                                          InstanceMethod<&CacheCore::ReadCounters>("readCounters"),
                                          InstanceMethod<&CacheCore::Reset>("reset"),
                                          InstanceMethod<&CacheCore::Dispose>("dispose"),
                                      });
    exports.Set("CacheCore", ctor);
    exports.Set("numCounters", Napi::Number::New(env, smaug::kNumCounters));
    return exports;
  }

  explicit CacheCore(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CacheCore>(info) {
    Napi::Env env = info.Env();
    const auto params = TypedArg<double>(info, 0, "params", napi_float64_array, "Float64Array");
    if (params.ElementLength() != kNumParams) {
      throw Napi::RangeError::New(env, "CacheCore: params must have 10 elements");
    }
    const double* v = params.Data();
    smaug::CacheParams p;
    p.cores = IntParam(env, v, 0, "cores", 1, 32);
    p.ports = IntParam(env, v, 1, "ports", 0, 64);
    p.lineBits = IntParam(env, v, 2, "lineBits", 0, 48);
    p.l1Sets = IntParam(env, v, 3, "l1Sets", 1, 4294967295.0);
    p.l1Ways = IntParam(env, v, 4, "l1Ways", 1, 4294967295.0);
    p.l1Repl = IntParam(env, v, 5, "l1Repl", 0, 2);
    p.llcSets = IntParam(env, v, 6, "llcSets", 1, 4294967295.0);
    p.llcWays = IntParam(env, v, 7, "llcWays", 1, 4294967295.0);
    p.llcRepl = IntParam(env, v, 8, "llcRepl", 0, 2);
    p.seed = IntParam(env, v, 9, "seed", 0, 4294967295.0);
    const std::string why = smaug::CheckParams(p);
    if (!why.empty()) throw Napi::RangeError::New(env, "CacheCore: " + why);
    try {
      sim_ = std::make_unique<smaug::CacheSim>(p);
    } catch (const std::bad_alloc&) {
      // Not a Napi::Error, so node-addon-api would not convert it: it would abort the process.
      throw Napi::RangeError::New(env, "CacheCore: not enough memory for this hierarchy");
    }
    // Tell V8 how much native memory this small wrapper holds, so that undisposed hierarchies
    // push it to collect them (without this, thousands of them grew RSS to 16 GB). Per slot:
    // tag 8 + stamp 8 + state 1 + home/sharers 4 bytes.
    const double slots = static_cast<double>(p.l1Sets) * p.l1Ways * p.cores +
                         static_cast<double>(p.llcSets) * p.llcWays;
    env_ = env;
    external_ = static_cast<int64_t>(slots * 21);
    int64_t total = 0;
    napi_adjust_external_memory(env_, external_, &total);
  }

  ~CacheCore() override { Release(); }

 private:
  smaug::CacheSim& Sim(Napi::Env env) {
    if (!sim_) throw Napi::Error::New(env, "CacheCore: used after dispose()");
    return *sim_;
  }

  // run(addr: Float64Array, bytes: Float64Array, op: Uint8Array, requester: Uint8Array,
  //     count: number)
  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    smaug::CacheSim& sim = Sim(env);
    const auto addr = TypedArg<double>(info, 0, "addr", napi_float64_array, "Float64Array");
    const auto bytes = TypedArg<double>(info, 1, "bytes", napi_float64_array, "Float64Array");
    const auto op = TypedArg<uint8_t>(info, 2, "op", napi_uint8_array, "Uint8Array");
    const auto req = TypedArg<uint8_t>(info, 3, "requester", napi_uint8_array, "Uint8Array");
    if (!info[4].IsNumber()) throw Napi::TypeError::New(env, "count must be a number");
    const double countD = info[4].As<Napi::Number>().DoubleValue();
    // A detached buffer reports length 0, so a stale view fails here instead of being read.
    const size_t cap = std::min(std::min(addr.ElementLength(), bytes.ElementLength()),
                                std::min(op.ElementLength(), req.ElementLength()));
    if (!(countD >= 0 && countD <= static_cast<double>(cap)) || std::floor(countD) != countD) {
      throw Napi::RangeError::New(env, "count must be an integer in [0, length of every array]");
    }
    const size_t count = static_cast<size_t>(countD);
    if (count == 0) return env.Undefined();
    std::string why;
    const int64_t bad = smaug::CheckRuns(addr.Data(), bytes.Data(), op.Data(), req.Data(), count,
                                         sim.numRequesters(), &why);
    if (bad >= 0) {
      throw Napi::RangeError::New(env, "run " + std::to_string(bad) + ": " + why);
    }
    sim.Run(addr.Data(), bytes.Data(), op.Data(), req.Data(), count);
    return env.Undefined();
  }

  // readCounters(out: Float64Array): the first (cores + ports) * NUM_COUNTERS elements.
  Napi::Value ReadCounters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    smaug::CacheSim& sim = Sim(env);
    auto out = TypedArg<double>(info, 0, "out", napi_float64_array, "Float64Array");
    const auto& cnt = sim.counters();
    if (out.ElementLength() < cnt.size()) {
      throw Napi::RangeError::New(
          env, "out must have at least " + std::to_string(cnt.size()) + " elements");
    }
    double* dst = out.Data();
    // Counts stay far below 2^53, where doubles are exact, as they are in the spec.
    for (size_t i = 0; i < cnt.size(); ++i) dst[i] = static_cast<double>(cnt[i]);
    return env.Undefined();
  }

  Napi::Value Reset(const Napi::CallbackInfo& info) {
    Sim(info.Env()).Reset();
    return info.Env().Undefined();
  }

  // Frees the simulator now rather than when V8 gets around to collecting the wrapper, which
  // for a large LLC can be hundreds of megabytes of native memory V8 does not see.
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }

  // Free the simulator once and return its bytes to V8's account (napi_adjust_external_memory
  // takes a basic env, so this is allowed from the finalizer too).
  void Release() {
    if (!sim_) return;
    sim_.reset();
    int64_t total = 0;
    napi_adjust_external_memory(env_, -external_, &total);
  }

  std::unique_ptr<smaug::CacheSim> sim_;
  napi_env env_ = nullptr;
  int64_t external_ = 0;
};

// simulateSystolic(params: Float64Array, layers: Float64Array, count: number): Float64Array
// (systolic.hpp). One call simulates a whole batch of layers; every value is checked first.
Napi::Value SimulateSystolic(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto params = TypedArg<double>(info, 0, "params", napi_float64_array, "Float64Array");
  const auto layers = TypedArg<double>(info, 1, "layers", napi_float64_array, "Float64Array");
  if (!info[2].IsNumber()) throw Napi::TypeError::New(env, "count must be a number");
  if (params.ElementLength() < smaug::kSystolicParams) {
    throw Napi::RangeError::New(env, "simulateSystolic: params must have 8 elements");
  }
  const double countD = info[2].As<Napi::Number>().DoubleValue();
  const double cap = static_cast<double>(layers.ElementLength() / smaug::kSystolicLayer);
  if (!(countD >= 0 && countD <= cap) || std::floor(countD) != countD) {
    throw Napi::RangeError::New(env, "count must be an integer in [0, layers.length / 3]");
  }
  const size_t count = static_cast<size_t>(countD);
  // Copy the inputs: the output allocation below may run JS (GC), which must not move them.
  const std::vector<double> p(params.Data(), params.Data() + smaug::kSystolicParams);
  std::string why = smaug::CheckSystolicParams(p.data());
  if (!why.empty()) throw Napi::RangeError::New(env, "simulateSystolic: " + why);
  const std::vector<double> l(layers.Data(), layers.Data() + count * smaug::kSystolicLayer);
  for (size_t i = 0; i < count; ++i) {
    why = smaug::CheckSystolicLayer(p.data(), l.data() + i * smaug::kSystolicLayer);
    if (!why.empty()) {
      throw Napi::RangeError::New(env, "simulateSystolic: layer " + std::to_string(i) + ": " + why);
    }
  }
  auto out = Napi::Float64Array::New(env, count * smaug::kSystolicResults);
  smaug::SimulateSystolic(p.data(), l.data(), count, out.Data());
  return out;
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("simulateSystolic", Napi::Function::New<SimulateSystolic>(env, "simulateSystolic"));
  exports.Set("numSystolicResults", Napi::Number::New(env, smaug::kSystolicResults));
  return CacheCore::Init(env, exports);
}

}  // namespace

NODE_API_MODULE(smaug_native, InitModule)
