// The systolic-array simulator in C++: a port of src/engine/js/systolic.ts, which is the
// specification (mapping, streams, blocks, event order, results). Every result must come out
// identical to that file for identical input; the comments here only say where the
// representation differs (64-bit integers instead of doubles, fixed arrays instead of objects).
//
// No Node-API in this file: the simulator can be tested and profiled as plain C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace smaug {

// Sizes of the vectors of SYSTOLIC_PARAMS, SYSTOLIC_LAYER and SYSTOLIC_RESULTS in
// src/engine/types.ts.
constexpr size_t kSystolicParams = 8;
constexpr size_t kSystolicLayer = 3;
constexpr size_t kSystolicResults = 20;

// Returns an empty string if `params` (kSystolicParams values) can be simulated, otherwise a
// short reason: integers, rows and cols in [1, 4096], dataflow 0..2, SRAM words and bandwidth
// within 2^40, bandwidth denominator in [1, 2^20].
std::string CheckSystolicParams(const double* params);

// Returns an empty string if the layer (kSystolicLayer values, each an integer in [1, 2^31])
// keeps every value the simulation computes below 2^51 (the bound src/accel/systolic.ts
// applies), otherwise a short reason.
std::string CheckSystolicLayer(const double* params, const double* layer);

// Simulate `count` layers with checked params and layers; writes count * kSystolicResults values.
void SimulateSystolic(const double* params, const double* layers, size_t count, double* out);

}  // namespace smaug
