#include "linearized_model.h"

#include "loss.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ntk {

namespace {

std::string shape(const Eigen::MatrixXd& m) {
    return std::to_string(m.rows()) + "x" + std::to_string(m.cols());
}

void check(bool ok, const std::string& what) {
    if (!ok)
        throw std::invalid_argument("linearized model: " + what);
}

} // namespace

LinearizedModel::LinearizedModel(LossKind loss, double learningRate, double keepPerStep,
                                 LinearizedStart start)
    : loss_(loss)
    , learningRate_(learningRate)
    , keepPerStep_(keepPerStep)
    , outputs_(int(start.trainTargets.cols()))
    , start_(std::move(start))
    , trainOutput_(start_.trainOutput)
    , testOutput_(start_.testOutput) {
    check(start_.kernel != nullptr, "no kernel");
    const Eigen::MatrixXd& kernel = *start_.kernel;
    const Eigen::Index n = kernel.rows();
    check(learningRate > 0.0 && std::isfinite(learningRate), "learning rate must be positive");
    check(keepPerStep >= 0.0 && keepPerStep <= 1.0, "the kept share of the displacement must be in [0, 1]");
    check(n > 0 && kernel.cols() == n, "kernel is " + shape(kernel) + ", not square");
    check(start_.trainOutput.rows() == n && start_.trainTargets.rows() == n &&
              start_.trainOutput.cols() == outputs_ && outputs_ > 0,
          "train outputs " + shape(start_.trainOutput) + " and targets " + shape(start_.trainTargets) +
              " do not match the " + shape(kernel) + " kernel");
    const Eigen::Index nTest = start_.testTargets.rows();
    check(start_.testOutput.rows() == nTest &&
              start_.testOutput.cols() == (nTest > 0 ? outputs_ : start_.testOutput.cols()),
          "test outputs " + shape(start_.testOutput) + " do not match test targets " +
              shape(start_.testTargets));
    check(nTest == 0 || (start_.crossKernel.rows() == nTest && start_.crossKernel.cols() == n),
          "cross kernel is " + shape(start_.crossKernel) + ", expected " + std::to_string(nTest) + "x" +
              std::to_string(n));
}

double LinearizedModel::trainLoss() const {
    return lossValue(loss_, trainOutput_, start_.trainTargets);
}

std::optional<double> LinearizedModel::testLoss() const {
    if (start_.testTargets.rows() == 0)
        return std::nullopt;
    return lossValue(loss_, testOutput_, start_.testTargets);
}

void LinearizedModel::step() {
    Eigen::MatrixXd gradient;
    lossAndGradient(loss_, trainOutput_, start_.trainTargets, gradient);
    // K_out = K / O: the step on each output uses the per-output kernel.
    const double rate = learningRate_ / outputs_;
    if (start_.testTargets.rows() > 0) {
        testOutput_ = start_.testOutput + keepPerStep_ * (testOutput_ - start_.testOutput);
        testOutput_.noalias() -= rate * start_.crossKernel * gradient;
    }
    trainOutput_ = start_.trainOutput + keepPerStep_ * (trainOutput_ - start_.trainOutput);
    trainOutput_.noalias() -= rate * *start_.kernel * gradient;
    ++epoch_;
}

} // namespace ntk
