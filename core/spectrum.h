#pragma once
// Eigenvalues of a symmetric kernel matrix and the numbers derived from them.
#include "cancel.h"
#include "packed_symmetric.h"

#include <Eigen/Dense>
#include <optional>
#include <string_view>

namespace ntk {

enum class SpectrumStatus {
    Ok,
    NonFiniteInput, // the matrix has NaN or Inf entries: refused, not solved
    NotConverged,   // the solver reported failure
    Empty,          // a 0 x 0 matrix
};
std::string_view toString(SpectrumStatus status);

struct Spectrum {
    SpectrumStatus status = SpectrumStatus::Empty;
    Eigen::VectorXd eigenvalues;  // descending
    Eigen::MatrixXd eigenvectors; // columns matching eigenvalues; empty unless requested
    bool complete = false;        // all n eigenvalues (false for a top-k solve)

    bool ok() const { return status == SpectrumStatus::Ok; }
};

// All eigenvalues (and eigenvectors on request). Throws std::invalid_argument if the matrix is not square,
// Cancelled when `cancel` is raised during the solve (which then finishes unobserved: core/abandonable.h).
Spectrum fullSpectrum(const Eigen::MatrixXd& kernel, bool withVectors = false, CancelFlag cancel = nullptr);
// The k largest eigenvalues by Lanczos (Spectra's SymEigsSolver). Falls back to the full solve when k is
// close to n, where Lanczos has no advantage.
// Throws Cancelled when `cancel` is raised, at the next product.
Spectrum topSpectrum(const Eigen::MatrixXd& kernel, int k, bool withVectors = false,
                     CancelFlag cancel = nullptr);

// Above this many points a live view computes only the top eigenvalues unless asked for all: a full
// solve costs O(n^3) (seconds per NTK epoch at n = 4000 on a laptop), Lanczos for 64 of them a fraction.
inline constexpr int automaticTopKAbove = 2500;
inline constexpr int automaticTopK = 64;

struct KernelSummary {
    double trace = 0.0;
    double lambdaMax = 0.0;
    std::optional<double> lambdaMin;       // only with a complete spectrum
    std::optional<double> conditionNumber; // lambdaMax / lambdaMin; absent when lambdaMin <= 0 or unknown
    // (sum lambda)^2 / sum lambda^2 = trace^2 / ||K||_F^2, and ||K||_F: absent for a kernel solved as an
    // operator (its entries are never formed, and its top eigenvalues do not give them)
    std::optional<double> effectiveRank;
    std::optional<double> frobeniusNorm;
    double topShare1 = 0.0, topShare5 = 0.0, topShare10 = 0.0; // share of the trace in the top eigenvalues
    int nonPositiveCount = 0;              // eigenvalues <= 0 (round-off): left out of log plots
    std::optional<double> kernelDistance;  // 1 - <K0, K>/(|K0| |K|), against the initial kernel
    std::optional<double> targetAlignment; // <K, Y Y^T> / (|K| |Y Y^T|)
    Eigen::VectorXd targetEnergy;          // share of ||Y||^2 in each eigenvector; needs eigenvectors
};

// `initial` and `targets` (n x O) are optional.
KernelSummary summarize(const Eigen::MatrixXd& kernel, const Spectrum& spectrum,
                        const PackedSymmetricMatrix* initial = nullptr,
                        const Eigen::MatrixXd* targets = nullptr);

// What the top of a spectrum and the exact trace say of a kernel solved as an operator (no matrix):
// trace, lambda_max and the top shares (of the eigenvalues there are).
KernelSummary summarizeTop(double exactTrace, const Spectrum& top);

// 1 - <a, b> / (|a| |b|): 0 for kernels equal up to scale.
double kernelDistance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);
double kernelDistance(const PackedSymmetricMatrix& a, const Eigen::MatrixXd& b);
double kernelTargetAlignment(const Eigen::MatrixXd& kernel, const Eigen::MatrixXd& targets);

} // namespace ntk
