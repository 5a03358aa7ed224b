#pragma once
// The network's first-order Taylor expansion around its initialization, trained by the same full-batch
// gradient descent in function space: f <- f - lr * K_out * dL/df on the training points, and the test
// points move with the train-by-test kernel. This is kernel regression with the initial NTK, the model the
// NTK theory says a wide network follows; comparing its test loss with the trained network's shows when
// (and how far) the real network leaves the lazy regime.
//
// As in core/theory.h, the outputs are taken as decoupled, K_out = K / O for the kernels summed over
// outputs. Penalties that shrink the parameters (L2, decoupled weight decay) are taken to act on the
// displacement from initialization: f - f0 keeps `keepPerStep` of itself each step, e.g. 1 - 2 lr l2 for
// the penalty l2 * |theta|^2. L1 and the adaptive optimizers have no such closed form and are left out.
#include "config.h"

#include <Eigen/Dense>
#include <memory>
#include <optional>

namespace ntk {

struct LinearizedStart {
    // n x n, summed over outputs, at initialization; shared with the trainer's initial kernel, not copied.
    std::shared_ptr<const Eigen::MatrixXd> kernel;
    Eigen::MatrixXd crossKernel;               // n_test x n, summed over outputs (empty without a test set)
    Eigen::MatrixXd trainOutput, testOutput;   // the network's outputs at initialization
    Eigen::MatrixXd trainTargets, testTargets; // as the loss sees them (one-hot for classification)
};

class LinearizedModel {
public:
    // Throws std::invalid_argument when the shapes disagree, lr is not positive or keepPerStep is not in
    // [0, 1].
    LinearizedModel(LossKind loss, double learningRate, double keepPerStep, LinearizedStart start);

    double trainLoss() const;
    std::optional<double> testLoss() const;
    const Eigen::MatrixXd& trainOutput() const { return trainOutput_; }
    int epoch() const { return epoch_; }

    void step(); // one gradient-descent step

private:
    LossKind loss_;
    double learningRate_, keepPerStep_;
    int outputs_;
    LinearizedStart start_;
    Eigen::MatrixXd trainOutput_, testOutput_;
    int epoch_ = 0;
};

} // namespace ntk
