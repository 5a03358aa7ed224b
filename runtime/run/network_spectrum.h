#pragma once
// The NTK spectrum of a network without training it: the network `ntkviz-cli train` would start from (same
// settings, same data, same initialization), its kernel on the training points solved densely, by Lanczos
// on the matrix-free operator (core/ntk_operator.h), or as a density by stochastic Lanczos quadrature
// (core/spectral_density.h). Written as eigenvalues.csv, density.csv and summary.json.
#include "config.h"
#include "spectral_density.h"

#include <QString>
#include <optional>

namespace ntk {

enum class SpectrumMethod { Auto, Dense, Lanczos, Slq };
std::optional<SpectrumMethod> parseSpectrumMethod(const QString& text);
QString spectrumMethodName(SpectrumMethod method);

struct NetworkSpectrumRequest {
    RunConfig config;
    SpectrumMethod method = SpectrumMethod::Auto;
    int topK = 32;            // dense and Lanczos: eigenpairs reported
    double tolerance = 1e-10; // Lanczos
    int probes = 16;          // SLQ
    int steps = 64;           // SLQ
};

// Above this many points `auto` chooses Lanczos on the operator: the dense kernel needs n^2 doubles and
// an O(n^3) solve (0.8 GB and minutes at n = 10,000), the operator O(n x width) memory per product.
inline constexpr int automaticMatrixFreeAbove = 4000;

struct NetworkSpectrum {
    SpectrumMethod method = SpectrumMethod::Dense; // the one used (auto resolved)
    QString methodReason;                          // why auto chose it, or "asked for"
    int points = 0;
    Eigen::VectorXd eigenvalues; // descending (empty for SLQ)
    Eigen::VectorXd residuals;   // |Theta v - lambda v| / lambda per eigenpair
    std::optional<SpectralDensity> density;
    double exactTrace = 0.0; // from the exact diagonal
    long long products = 0;  // operator columns (matrix-free methods)
    double seconds = 0.0;
};

// Throws what the data preparation or the solve throws (the caller maps it with failureMessage) and
// std::invalid_argument for a request that cannot be met (k >= n, too few probes).
NetworkSpectrum computeNetworkSpectrum(const NetworkSpectrumRequest& request);
// eigenvalues.csv (index, eigenvalue, residual), density.csv (log10 lambda, density, standard error) when
// there is a density, summary.json; each file written atomically. Returns an error naming the file.
std::optional<QString> writeNetworkSpectrum(const QString& directory, const NetworkSpectrumRequest& request,
                                            const NetworkSpectrum& spectrum);

} // namespace ntk
