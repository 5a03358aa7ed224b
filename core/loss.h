#pragma once
// Loss conventions (stated here once; the stability line 2nO/lr and the linearized filters depend on them):
//   cross-entropy: L = (1/n) sum_i [logsumexp(f_i) - <f_i, y_i>]       (y_i one-hot)
//   mse:           L = 1/(2 n O) sum_i ||f_i - y_i||^2                  (O = number of outputs)
#include "config.h"

#include <Eigen/Dense>
#include <optional>

namespace ntk {

double lossValue(LossKind kind, const Eigen::MatrixXd& output, const Eigen::MatrixXd& targets);
// Returns the loss and writes dLoss/dOutput.
double lossAndGradient(LossKind kind, const Eigen::MatrixXd& output, const Eigen::MatrixXd& targets,
                       Eigen::MatrixXd& gradient);
// Fraction of rows whose largest output is the labelled class.
double accuracy(const Eigen::MatrixXd& output, const Eigen::VectorXi& labels);

} // namespace ntk
