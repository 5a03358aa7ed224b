#include "activation.h"

#include <cmath>
#include <numbers>

namespace ntk {
namespace {

// GELU in its exact form x * Phi(x), not the tanh approximation, so that finite-difference checks and the
// analytic kernel agree with what is trained.
inline double standardNormalCdf(double x) {
    return 0.5 * std::erfc(-x * std::numbers::sqrt2 / 2.0);
}
inline double standardNormalPdf(double x) {
    return std::exp(-0.5 * x * x) * (std::numbers::inv_sqrtpi / std::numbers::sqrt2);
}

template <class ValueFn, class SlopeFn>
void mapBoth(const Eigen::MatrixXd& z, Eigen::MatrixXd& value, Eigen::MatrixXd& slope, ValueFn f,
             SlopeFn df) {
    value.resize(z.rows(), z.cols());
    slope.resize(z.rows(), z.cols());
    const Eigen::Index count = z.size();
    const double* in = z.data();
    double* out = value.data();
    double* der = slope.data();
    for (Eigen::Index i = 0; i < count; ++i) {
        out[i] = f(in[i]);
        der[i] = df(in[i]);
    }
}

} // namespace

void applyActivation(Activation kind, const Eigen::MatrixXd& z, Eigen::MatrixXd& value,
                     Eigen::MatrixXd& slope) {
    switch (kind) {
    case Activation::Relu:
        value = z.cwiseMax(0.0);
        slope = (z.array() > 0.0).cast<double>().matrix();
        return;
    case Activation::Tanh:
        value = z.array().tanh().matrix();
        slope = (1.0 - value.array().square()).matrix();
        return;
    case Activation::Gelu:
        mapBoth(
            z, value, slope, [](double x) { return x * standardNormalCdf(x); },
            [](double x) { return standardNormalCdf(x) + x * standardNormalPdf(x); });
        return;
    case Activation::Erf:
        mapBoth(
            z, value, slope, [](double x) { return std::erf(x); },
            [](double x) { return 2.0 * std::numbers::inv_sqrtpi * std::exp(-x * x); });
        return;
    case Activation::Identity:
        value = z;
        slope = Eigen::MatrixXd::Ones(z.rows(), z.cols());
        return;
    }
}

Eigen::MatrixXd activationSecondDerivative(Activation kind, const Eigen::MatrixXd& z,
                                           const Eigen::MatrixXd& value, const Eigen::MatrixXd& slope) {
    switch (kind) {
    case Activation::Relu:
    case Activation::Identity:
        break;
    case Activation::Tanh:
        return -2.0 * value.cwiseProduct(slope);
    case Activation::Erf:
        return -2.0 * z.cwiseProduct(slope);
    case Activation::Gelu: // d/dz [Phi(z) + z pdf(z)] = pdf(z) (2 - z^2)
        return z.unaryExpr([](double x) { return standardNormalPdf(x) * (2.0 - x * x); });
    }
    return Eigen::MatrixXd::Zero(value.rows(), value.cols());
}

bool secondDerivativeNeedsPreActivations(Activation kind) {
    return kind == Activation::Erf || kind == Activation::Gelu;
}

void applyActivation(Activation kind, const Eigen::MatrixXd& z, Eigen::MatrixXd& value) {
    Eigen::MatrixXd unusedSlope;
    applyActivation(kind, z, value, unusedSlope);
}

} // namespace ntk
