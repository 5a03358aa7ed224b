#include "analytic_ntk.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace ntk {
namespace {

struct GaussianMoments {
    double value; // E[phi(u) phi(v)]
    double slope; // E[phi'(u) phi'(v)]
};

GaussianMoments moments(Activation activation, double suu, double svv, double suv) {
    switch (activation) {
    case Activation::Relu: {
        // Arc-cosine kernels of degree 1 and 0 (Cho & Saul).
        const double norm = std::sqrt(suu * svv);
        if (norm <= 0.0)
            return {0.0, 0.25};
        const double cosine = std::clamp(suv / norm, -1.0, 1.0);
        const double angle = std::acos(cosine);
        const double pi = std::numbers::pi;
        return {norm * (std::sin(angle) + (pi - angle) * cosine) / (2.0 * pi), (pi - angle) / (2.0 * pi)};
    }
    case Activation::Erf: {
        // Williams (1997): E[erf(u) erf(v)] and the matching derivative moment.
        const double pi = std::numbers::pi;
        const double denominator = (1.0 + 2.0 * suu) * (1.0 + 2.0 * svv);
        const double value =
            (2.0 / pi) * std::asin(std::clamp(2.0 * suv / std::sqrt(denominator), -1.0, 1.0));
        const double slope = (4.0 / pi) / std::sqrt(denominator - 4.0 * suv * suv);
        return {value, slope};
    }
    case Activation::Identity:
        return {suv, 1.0};
    default:
        throw std::invalid_argument(
            "analyticNtk: no closed form for this activation (relu, erf and identity have one)");
    }
}

} // namespace

bool hasAnalyticNtk(Activation activation) {
    return activation == Activation::Relu || activation == Activation::Erf ||
           activation == Activation::Identity;
}

Eigen::MatrixXd analyticNtk(const AnalyticNtkSpec& spec, const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    if (!hasAnalyticNtk(spec.activation))
        throw std::invalid_argument(
            "analyticNtk: no closed form for this activation (relu, erf and identity have one)");
    if (a.cols() != b.cols())
        throw std::invalid_argument("analyticNtk: point sets have different dimensions");
    const double sw2 = spec.sigmaW * spec.sigmaW, sb2 = spec.sigmaB * spec.sigmaB;
    const double d = double(a.cols());
    // Pre-activation covariances: cross (a x b) and the diagonals of each set.
    Eigen::MatrixXd cross = (sw2 / d) * (a * b.transpose());
    cross.array() += sb2;
    Eigen::VectorXd diagA = (sw2 / d) * a.rowwise().squaredNorm();
    diagA.array() += sb2;
    Eigen::VectorXd diagB = (sw2 / d) * b.rowwise().squaredNorm();
    diagB.array() += sb2;
    Eigen::MatrixXd theta = cross;
    // `depth` hidden layers, then the linear read-out layer: depth applications of the recursion.
    for (int l = 0; l < spec.depth; ++l) {
        Eigen::MatrixXd nextCross(cross.rows(), cross.cols());
        Eigen::MatrixXd slopeCross(cross.rows(), cross.cols());
        for (Eigen::Index j = 0; j < cross.cols(); ++j)
            for (Eigen::Index i = 0; i < cross.rows(); ++i) {
                const GaussianMoments m = moments(spec.activation, diagA[i], diagB[j], cross(i, j));
                nextCross(i, j) = sw2 * m.value + sb2;
                slopeCross(i, j) = sw2 * m.slope;
            }
        Eigen::VectorXd nextDiagA(diagA.size()), nextDiagB(diagB.size());
        for (Eigen::Index i = 0; i < diagA.size(); ++i)
            nextDiagA[i] = sw2 * moments(spec.activation, diagA[i], diagA[i], diagA[i]).value + sb2;
        for (Eigen::Index j = 0; j < diagB.size(); ++j)
            nextDiagB[j] = sw2 * moments(spec.activation, diagB[j], diagB[j], diagB[j]).value + sb2;
        theta = nextCross + slopeCross.cwiseProduct(theta);
        cross = std::move(nextCross);
        diagA = std::move(nextDiagA);
        diagB = std::move(nextDiagB);
    }
    return theta;
}

Eigen::MatrixXd analyticNtk(const AnalyticNtkSpec& spec, const Eigen::MatrixXd& x) {
    return analyticNtk(spec, x, x);
}

} // namespace ntk
