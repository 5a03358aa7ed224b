#pragma once
#include "config.h"

#include <Eigen/Dense>

namespace ntk {

// Applies phi elementwise to z and writes phi'(z) alongside, in one pass over the data.
void applyActivation(Activation kind, const Eigen::MatrixXd& z, Eigen::MatrixXd& value,
                     Eigen::MatrixXd& slope);
void applyActivation(Activation kind, const Eigen::MatrixXd& z, Eigen::MatrixXd& value);

} // namespace ntk
