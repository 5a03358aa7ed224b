#pragma once
// Small pieces several numerical tests share: random inputs and networks from a seed.
#include "mlp.h"

#include <Eigen/Dense>
#include <cstdint>
#include <random>

namespace ntk::testing {

// n x d standard normal entries.
inline Eigen::MatrixXd randomPoints(int n, int d, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    return Eigen::MatrixXd::NullaryExpr(n, d, [&] { return normal(rng); });
}

// An MLP with sigma_w = 1.4 and the given bias scale.
inline Mlp randomModel(int d, int width, int depth, int outputs, Activation activation, Parameterization p,
                       double sigmaB, std::uint64_t seed) {
    MlpShape s;
    s.inputDim = d;
    s.width = width;
    s.depth = depth;
    s.outputs = outputs;
    s.activation = activation;
    s.parameterization = p;
    s.sigmaW = 1.4;
    s.sigmaB = sigmaB;
    return Mlp(s, seed);
}

} // namespace ntk::testing
