#include "statistics.h"

#include <random>

#include <stdexcept>

namespace ntk {

LinearFit fitLine(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
    if (x.size() != y.size() || x.size() < 2)
        throw std::invalid_argument("fitLine: needs two or more (x, y) pairs");
    const double mx = x.mean(), my = y.mean();
    const Eigen::ArrayXd dx = x.array() - mx, dy = y.array() - my;
    const double sxx = dx.square().sum();
    LinearFit fit;
    fit.slope = sxx > 0.0 ? (dx * dy).sum() / sxx : 0.0;
    fit.intercept = my - fit.slope * mx;
    const double total = dy.square().sum();
    const double residual = (y.array() - (fit.slope * x.array() + fit.intercept)).square().sum();
    fit.rSquared = total > 0.0 ? 1.0 - residual / total : 0.0;
    return fit;
}

Moments moments(const Eigen::VectorXd& values) {
    Moments m;
    if (values.size() == 0)
        return m;
    m.mean = values.mean();
    const Eigen::ArrayXd centred = values.array() - m.mean;
    m.variance = centred.square().mean();
    if (m.variance > 0.0) {
        m.skewness = centred.cube().mean() / std::pow(m.variance, 1.5);
        m.kurtosis = centred.square().square().mean() / (m.variance * m.variance) - 3.0;
    }
    return m;
}

Moments weightedMoments(const Eigen::VectorXd& values, const Eigen::VectorXd& weights) {
    Moments m;
    const double total = weights.sum();
    if (values.size() == 0 || values.size() != weights.size() || !(total > 0.0))
        return m;
    const Eigen::ArrayXd p = weights.array() / total;
    m.mean = (p * values.array()).sum();
    const Eigen::ArrayXd centred = values.array() - m.mean;
    m.variance = (p * centred.square()).sum();
    if (m.variance > 0.0) {
        m.skewness = (p * centred.cube()).sum() / std::pow(m.variance, 1.5);
        m.kurtosis = (p * centred.square().square()).sum() / (m.variance * m.variance) - 3.0;
    }
    return m;
}

Eigen::MatrixXd rademacherMatrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution coin(0.5);
    return Eigen::MatrixXd::NullaryExpr(rows, cols, [&] { return coin(rng) ? 1.0 : -1.0; });
}

} // namespace ntk
