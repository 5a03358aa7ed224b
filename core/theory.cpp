#include "theory.h"

#include "optimizer.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ntk {

namespace {

void requirePositive(int n, int outputs, double learningRate) {
    if (n <= 0 || outputs <= 0)
        throw std::invalid_argument("theory: n and outputs must be positive (n " + std::to_string(n) +
                                    ", outputs " + std::to_string(outputs) + ")");
    if (!(learningRate > 0.0) || !std::isfinite(learningRate))
        throw std::invalid_argument("theory: learning rate must be positive and finite");
}

double stepFactor(double summedEigenvalue, double learningRate, int n, int outputs) {
    requirePositive(n, outputs, learningRate);
    return 1.0 - learningRate * perOutputEigenvalue(summedEigenvalue, outputs) / (double(n) * outputs);
}

} // namespace

bool linearizedDynamicsApply(const RunConfig& config, int trainSize) {
    const bool fullBatch = config.optimizer == OptimizerKind::Gd ||
                           (config.optimizer == OptimizerKind::Sgd && config.batchSize >= trainSize);
    return fullBatch && config.l1 == 0.0;
}

double stabilityEdge(LossKind loss, int n, int outputs, double learningRate) {
    requirePositive(n, outputs, learningRate);
    const double perOutputEdge =
        loss == LossKind::Mse ? 2.0 * n * outputs / learningRate : 4.0 * n / learningRate;
    return perOutputEdge * outputs;
}

double kernelCurvatureScale(LossKind loss, int n, int outputs) {
    requirePositive(n, outputs, 1.0);
    return loss == LossKind::Mse ? 1.0 / (double(n) * outputs * outputs) : 1.0 / (2.0 * n * outputs);
}

std::vector<SharpnessThreshold> sharpnessThresholds(OptimizerKind optimizer, double learningRate,
                                                    double momentum) {
    if (!(learningRate > 0.0))
        throw std::invalid_argument("sharpnessThresholds: the learning rate must be positive");
    using K = SharpnessThreshold::Kind;
    std::vector<SharpnessThreshold> lines{{K::GradientDescent, 2.0 / learningRate}};
    if (optimizer == OptimizerKind::Momentum)
        lines.push_back({K::HeavyBall, (2.0 + 2.0 * momentum) / learningRate});
    if (optimizer == OptimizerKind::Adam) {
        const double beta1 = Optimizer::adamBeta1;
        lines.push_back({K::Adam, (2.0 + 2.0 * beta1) / ((1.0 - beta1) * learningRate)});
    }
    return lines;
}

double linearizedDecay(double summedEigenvalue, double learningRate, int n, int outputs, int epoch) {
    return std::pow(std::abs(stepFactor(summedEigenvalue, learningRate, n, outputs)), epoch);
}

double earlyStoppingFilter(double summedEigenvalue, double learningRate, int n, int outputs, int epoch) {
    // With magnitudes, like the measured share it is drawn beside (1 - |residual_t| / |residual_0|): for a
    // step factor between -1 and 0 (1 < lr kappa/(nO) < 2) the residual flips sign each step.
    return 1.0 - linearizedDecay(summedEigenvalue, learningRate, n, outputs, epoch);
}

double ridgeFilter(double summedEigenvalue, double l2, int n, int outputs) {
    requirePositive(n, outputs, 1.0);
    const double kappa = perOutputEigenvalue(summedEigenvalue, outputs);
    const double shrink = 2.0 * n * outputs * l2;
    return kappa + shrink > 0.0 ? kappa / (kappa + shrink) : 0.0;
}

std::vector<int> spectralBiasDirections(int n) {
    std::vector<int> directions;
    for (int k = 1; k <= n; k *= 10) {
        directions.push_back(k - 1);
        if (3 * k <= n)
            directions.push_back(3 * k - 1);
    }
    return directions;
}

double residualScale(LossKind loss, int n, int outputs) {
    return loss == LossKind::Mse ? double(n) * outputs : double(n);
}

Eigen::VectorXd energyAlong(const Eigen::MatrixXd& eigenvectors, const Eigen::MatrixXd& residual) {
    if (eigenvectors.rows() != residual.rows())
        throw std::invalid_argument("energyAlong: " + std::to_string(eigenvectors.rows()) +
                                    " eigenvector rows but " + std::to_string(residual.rows()) +
                                    " residual rows");
    return (eigenvectors.transpose() * residual).rowwise().squaredNorm();
}

} // namespace ntk
