#include "spectral_density.h"

#include "statistics.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace ntk {
namespace {

// Gauss quadrature nodes and weights of each probe from its Lanczos coefficients: eigenvalues and squared
// first components of the tridiagonal matrix of alphas (diagonal) and betas (off-diagonal).
void quadratureFromLanczos(const Eigen::MatrixXd& alpha, const Eigen::MatrixXd& beta, int steps,
                           QuadratureNodes& out) {
    const Eigen::Index probes = alpha.cols();
    out.nodes = Eigen::MatrixXd::Zero(steps, probes);
    out.weights = Eigen::MatrixXd::Zero(steps, probes);
    for (Eigen::Index p = 0; p < probes; ++p) {
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
        const Eigen::VectorXd diagonal = alpha.col(p).head(steps);
        const Eigen::VectorXd offDiagonal = beta.col(p).head(steps - 1);
        solver.computeFromTridiagonal(diagonal, offDiagonal, Eigen::ComputeEigenvectors);
        out.nodes.col(p) = solver.eigenvalues();
        out.weights.col(p) = solver.eigenvectors().row(0).transpose().array().square();
    }
}

} // namespace

SpectralDensity spectralDensity(const SymmetricProduct& product, Eigen::Index n,
                                const DensityOptions& options) {
    if (n < 2 || options.probes < 2 || options.steps < 1 || options.gridPoints < 2 ||
        !(options.smoothing > 0))
        throw std::invalid_argument(
            "spectralDensity: needs n >= 2, 2 or more probes, steps >= 1, a grid of 2 or "
            "more points and a positive smoothing width");
    const int probes = options.probes;
    const int steps = int(std::min<Eigen::Index>(options.steps, n));
    Eigen::MatrixXd q = rademacherMatrix(n, probes, options.seed) / std::sqrt(double(n)); // unit columns
    std::vector<Eigen::MatrixXd> basis{q};
    Eigen::MatrixXd alpha = Eigen::MatrixXd::Zero(steps, probes), beta = Eigen::MatrixXd::Zero(steps, probes);
    SpectralDensity result;
    int taken = steps;
    for (int j = 0; j < steps; ++j) {
        throwIfCancelled(options.cancel);
        Eigen::MatrixXd w = product(basis[std::size_t(j)]);
        result.products += probes;
        const Eigen::MatrixXd& current = basis[std::size_t(j)];
        alpha.row(j) = current.cwiseProduct(w).colwise().sum();
        // Full reorthogonalization of each probe's vector against that probe's own basis (twice is enough:
        // Kahan's "twice is enough"), which keeps the quadrature free of ghost eigenvalues.
        for (int pass = 0; pass < 2; ++pass)
            for (const Eigen::MatrixXd& previous : basis) {
                const Eigen::RowVectorXd overlap = previous.cwiseProduct(w).colwise().sum();
                w -= previous * overlap.asDiagonal();
            }
        if (j + 1 == steps)
            break;
        const Eigen::RowVectorXd norms = w.colwise().norm();
        // An invariant subspace (norm ~ 0) for any probe ends the recurrence for all: its quadrature is
        // already exact with the steps taken.
        if ((norms.array() <= 1e-12 * std::max(1.0, alpha.row(j).cwiseAbs().maxCoeff())).any()) {
            taken = j + 1;
            break;
        }
        beta.row(j) = norms;
        basis.push_back(w * norms.cwiseInverse().asDiagonal());
    }
    quadratureFromLanczos(alpha, beta, taken, result.quadrature);
    const QuadratureNodes& quadrature = result.quadrature;

    // Trace: per probe n sum_j tau_j theta_j, which equals z^T A z for the probe z.
    const Eigen::RowVectorXd perProbeTrace =
        double(n) * quadrature.weights.cwiseProduct(quadrature.nodes).colwise().sum();
    result.traceEstimate = perProbeTrace.mean();
    result.traceStandardError = std::sqrt((perProbeTrace.array() - result.traceEstimate).square().sum() /
                                          double(probes - 1) / probes);

    // Density on a log10 grid: each positive node a Gaussian bump of its weight, averaged over probes.
    double smallest = options.smallestShown, largest = 0.0;
    for (Eigen::Index i = 0; i < quadrature.nodes.size(); ++i) {
        const double node = quadrature.nodes.data()[i];
        if (node > 0 && (options.smallestShown <= 0) && (smallest <= 0 || node < smallest))
            smallest = node;
        largest = std::max(largest, node);
    }
    if (!(largest > 0))
        largest = 1.0; // nothing positive: an empty density on a nominal decade
    if (!(smallest > 0) || smallest >= largest)
        smallest = largest / 10.0;
    const double low = std::log10(smallest) - 3 * options.smoothing,
                 high = std::log10(largest) + 3 * options.smoothing;
    result.log10Lambda = Eigen::VectorXd::LinSpaced(options.gridPoints, low, high);
    Eigen::MatrixXd perProbe = Eigen::MatrixXd::Zero(options.gridPoints, probes);
    const double norm = 1.0 / (options.smoothing * std::sqrt(2.0 * M_PI));
    for (int p = 0; p < probes; ++p)
        for (int j = 0; j < taken; ++j) {
            const double node = quadrature.nodes(j, p);
            if (!(node > 0))
                continue; // zero and round-off eigenvalues have no place on a log axis
            const double at = std::log10(node), weight = quadrature.weights(j, p);
            perProbe.col(p).array() +=
                weight * norm *
                (-(result.log10Lambda.array() - at).square() / (2 * options.smoothing * options.smoothing))
                    .exp();
        }
    result.density = perProbe.rowwise().mean();
    result.standardError =
        ((perProbe.colwise() - result.density).array().square().rowwise().sum() / double(probes - 1) / probes)
            .sqrt();
    result.atOrAbove = eigenvaluesAtOrAbove(result, n, options.smoothing);
    return result;
}

Eigen::VectorXd eigenvaluesAtOrAbove(const SpectralDensity& density, Eigen::Index n, double smoothing) {
    const auto& nodes = density.quadrature.nodes;
    const auto& weights = density.quadrature.weights;
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(density.log10Lambda.size());
    if (nodes.cols() == 0)
        return counts;
    for (Eigen::Index p = 0; p < nodes.cols(); ++p)
        for (Eigen::Index j = 0; j < nodes.rows(); ++j) {
            if (!(nodes(j, p) > 0))
                continue; // as in the density: no place on a log axis
            const double at = std::log10(nodes(j, p));
            // The upper tail of this node's Gaussian bump beyond each grid point.
            counts.array() +=
                weights(j, p) * 0.5 *
                ((density.log10Lambda.array() - at) / (smoothing * std::sqrt(2.0))).unaryExpr([](double z) {
                    return std::erfc(z);
                });
        }
    return counts * (double(n) / double(nodes.cols()));
}

} // namespace ntk
