#pragma once
// The infinite-width NTK of the same architecture in the NTK parameterization, by the standard recursion
//   Sigma_1 = sigma_w^2 x.x'/d + sigma_b^2,  Theta_1 = Sigma_1
//   Sigma_{l+1} = sigma_w^2 E[phi(u) phi(v)] + sigma_b^2,  Sigma'_{l+1} = sigma_w^2 E[phi'(u) phi'(v)]
//   Theta_{l+1} = Sigma_{l+1} + Sigma'_{l+1} Theta_l
// with (u, v) ~ N(0, [[Sigma_l(x,x), Sigma_l(x,x')], [., Sigma_l(x',x')]]). The result is per output; the
// empirical kernel summed over O outputs converges to O times it.
#include "cancel.h"
#include "config.h"

#include <Eigen/Dense>
#include <optional>
#include <string>

namespace ntk {

struct AnalyticNtkSpec {
    int depth = 1;
    Activation activation = Activation::Relu;
    double sigmaW = 1.0;
    double sigmaB = 0.0;
};

// Closed forms exist for relu, erf and identity; nullopt otherwise.
bool hasAnalyticNtk(Activation activation);
// n_a x n_b kernel; throws std::invalid_argument for an activation without a closed form, Cancelled when
// `cancel` is raised (checked per block of 256 columns).
Eigen::MatrixXd analyticNtk(const AnalyticNtkSpec& spec, const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                            CancelFlag cancel = nullptr);
Eigen::MatrixXd analyticNtk(const AnalyticNtkSpec& spec, const Eigen::MatrixXd& x,
                            CancelFlag cancel = nullptr);

} // namespace ntk
