#pragma once
// Small descriptive statistics used by the experiment summaries.
#include <Eigen/Dense>
#include <cstdint>

namespace ntk {

struct LinearFit {
    double slope = 0.0, intercept = 0.0, rSquared = 0.0;
};
// Least squares y = slope x + intercept; rSquared = 1 - SS_res / SS_tot (0 when y is constant).
LinearFit fitLine(const Eigen::VectorXd& x, const Eigen::VectorXd& y);

struct Moments {
    double mean = 0.0, variance = 0.0, skewness = 0.0, kurtosis = 0.0; // kurtosis: excess, 0 for a Gaussian
};
Moments moments(const Eigen::VectorXd& values);
// Of a distribution given as values with non-negative weights (normalized here), e.g. a density on a grid.
Moments weightedMoments(const Eigen::VectorXd& values, const Eigen::VectorXd& weights);

// rows x cols of independent +-1 with equal odds, the same for the same seed on every run and process.
Eigen::MatrixXd rademacherMatrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed);

} // namespace ntk
