#pragma once
#include "config.h"

#include <Eigen/Dense>

namespace ntk {

// Applies phi elementwise to z and writes phi'(z) alongside, in one pass over the data.
void applyActivation(Activation kind, const Eigen::MatrixXd& z, Eigen::MatrixXd& value,
                     Eigen::MatrixXd& slope);
void applyActivation(Activation kind, const Eigen::MatrixXd& z, Eigen::MatrixXd& value);

// phi''(z), from z, value = phi(z) and slope = phi'(z) as applyActivation gives them: zero for ReLU (away
// from its kink) and the identity. Only erf and GELU read z; for the others it may be empty.
Eigen::MatrixXd activationSecondDerivative(Activation kind, const Eigen::MatrixXd& z,
                                           const Eigen::MatrixXd& value, const Eigen::MatrixXd& slope);
bool secondDerivativeNeedsPreActivations(Activation kind);

} // namespace ntk
