#pragma once
// The eigenvalue density of a symmetric positive semi-definite operator by stochastic Lanczos quadrature
// (Ubaru, Chen & Saad 2017; Ghorbani, Krishnan & Xiao 2019 for network spectra): for random Rademacher
// probes z, m Lanczos steps from z/|z| give a tridiagonal T whose eigenvalues theta_j and squared first
// eigenvector components tau_j are the nodes and weights of a Gauss quadrature of the spectral measure
// seen from z. Averaged over probes, (1/n) sum_i f(lambda_i) ~ mean_p sum_j tau_j f(theta_j). Only products
// with the operator are needed, m per probe, all probes in one block per step.
#include "cancel.h"
#include "symmetric_product.h"

#include <Eigen/Dense>
#include <cstdint>

namespace ntk {

struct QuadratureNodes {
    Eigen::MatrixXd nodes;   // steps x probes: the Ritz values theta_j of each probe's tridiagonal matrix
    Eigen::MatrixXd weights; // steps x probes: tau_j, each column sums to 1
};

struct SpectralDensity {
    QuadratureNodes quadrature;
    Eigen::VectorXd log10Lambda;   // grid of log10 eigenvalue
    Eigen::VectorXd density;       // eigenvalues per unit of log10 lambda, as a fraction of n (integrates to
                                   // the share of positive eigenvalues)
    Eigen::VectorXd standardError; // of the density at each grid point, across probes
    Eigen::VectorXd atOrAbove;     // estimated number of eigenvalues >= 10^log10Lambda (eigenvaluesAtOrAbove)
    double traceEstimate = 0.0;    // n mean_p sum_j tau_j theta_j (= Hutchinson's z^T A z estimate)
    double traceStandardError = 0.0;
    long long products = 0; // operator columns used
};

struct DensityOptions {
    int probes = 16;
    int steps = 64; // Lanczos steps per probe (fewer when n is smaller)
    int gridPoints = 200;
    double smoothing = 0.05;    // Gaussian width in log10 lambda
    double smallestShown = 0.0; // grid from here (0: from the smallest positive node)
    std::uint64_t seed = 1;
    CancelFlag cancel = nullptr;
};

// Requires n >= 2 and probes >= 2. Lanczos runs with full reorthogonalization (memory n x probes x steps).
SpectralDensity spectralDensity(const SymmetricProduct& product, Eigen::Index n,
                                const DensityOptions& options);

// The density read as a spectrum: at each grid point 10^log10Lambda(g), the estimated number of eigenvalues
// at or above it, n * integral of the smoothed density from there up (exact for the Gaussian bumps, no
// grid sum). Drawn as eigenvalue against this count it continues the top-k eigenvalues (lambda_k against
// k) over the whole spectrum. Non-increasing along the grid; n * (share of positive eigenvalues) at its
// start.
Eigen::VectorXd eigenvaluesAtOrAbove(const SpectralDensity& density, Eigen::Index n,
                                     double smoothing = DensityOptions().smoothing);

} // namespace ntk
