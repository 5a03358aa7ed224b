#include "analytic_ntk.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

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

Eigen::MatrixXd analyticNtk(const AnalyticNtkSpec& spec, const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                            CancelFlag cancel) {
    if (!hasAnalyticNtk(spec.activation))
        throw std::invalid_argument(
            "analyticNtk: no closed form for this activation (relu, erf and identity have one)");
    if (a.cols() != b.cols())
        throw std::invalid_argument("analyticNtk: point sets have different dimensions");
    const double sw2 = spec.sigmaW * spec.sigmaW, sb2 = spec.sigmaB * spec.sigmaB;
    const double d = double(a.cols());
    // The variances of each point's pre-activations, layer by layer: they do not depend on the pairs.
    const auto variances = [&](const Eigen::MatrixXd& x) {
        std::vector<Eigen::VectorXd> layers(std::size_t(spec.depth) + 1);
        layers[0] = (sw2 / d) * x.rowwise().squaredNorm();
        layers[0].array() += sb2;
        for (int l = 0; l < spec.depth; ++l) {
            const Eigen::VectorXd& v = layers[std::size_t(l)];
            Eigen::VectorXd& next = layers[std::size_t(l) + 1];
            next.resize(v.size());
            for (Eigen::Index i = 0; i < v.size(); ++i)
                next[i] = sw2 * moments(spec.activation, v[i], v[i], v[i]).value + sb2;
        }
        return layers;
    };
    const std::vector<Eigen::VectorXd> diagA = variances(a), diagB = variances(b);
    // Column blocks of the pair covariance, updated in place through the layers: the only n x n matrix is
    // the result (the whole-matrix recursion held four, 3.2 GB at n = 10,000).
    constexpr Eigen::Index blockColumns = 256;
    Eigen::MatrixXd theta(a.rows(), b.rows());
    Eigen::MatrixXd cross;
    for (Eigen::Index first = 0; first < b.rows(); first += blockColumns) {
        throwIfCancelled(cancel);
        const Eigen::Index count = std::min(blockColumns, b.rows() - first);
        cross.noalias() = (sw2 / d) * (a * b.middleRows(first, count).transpose());
        cross.array() += sb2;
        auto block = theta.middleCols(first, count);
        block = cross;
        // `depth` hidden layers, then the linear read-out layer: depth applications of the recursion.
        for (int l = 0; l < spec.depth; ++l)
            for (Eigen::Index j = 0; j < count; ++j)
                for (Eigen::Index i = 0; i < cross.rows(); ++i) {
                    const GaussianMoments m = moments(spec.activation, diagA[std::size_t(l)][i],
                                                      diagB[std::size_t(l)][first + j], cross(i, j));
                    const double nextCross = sw2 * m.value + sb2;
                    block(i, j) = nextCross + (sw2 * m.slope) * block(i, j);
                    cross(i, j) = nextCross;
                }
    }
    return theta;
}

Eigen::MatrixXd analyticNtk(const AnalyticNtkSpec& spec, const Eigen::MatrixXd& x, CancelFlag cancel) {
    return analyticNtk(spec, x, x, cancel);
}

} // namespace ntk
