#pragma once
// Small synthetic data sets for lectures. Each is seeded, class-balanced, and its noise is the standard
// deviation of Gaussian jitter added to the points (for sine: to the targets).
#include "dataset.h"

#include <cstdint>

namespace ntk {

Dataset makeMoons(int count, double noise, std::uint64_t seed);
Dataset makeCircles(int count, double noise, std::uint64_t seed);            // inner radius 0.5, outer 1
Dataset makeSpirals(int count, double noise, std::uint64_t seed);            // two interleaved arms
Dataset makeXor(int count, double noise, std::uint64_t seed);                // quadrants of [-1, 1]^2
Dataset makeBlobs(int count, int classes, double noise, std::uint64_t seed); // spread 0.25 + noise
Dataset makeSine(int count, double noise, std::uint64_t seed);               // y = sin(x) on [-pi, pi]

} // namespace ntk
