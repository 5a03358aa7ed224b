#pragma once
// The NTK spectrum of a network without training it: the network `ntkviz-cli train` would start from (same
// settings, same data, same initialization, or the parameters of --init-from), its kernel on the training
// points solved densely, by Lanczos on the matrix-free operator (core/ntk_operator.h), or as a density by
// stochastic Lanczos quadrature (core/spectral_density.h); on request each layer's share and spectrum,
// and the top eigenvectors' weight per class. Across several processes (a ProcessGroup, e.g. MPI ranks)
// each holds a contiguous part of the training points and the matrix-free methods run on all of them.
// Written as eigenvalues.csv, density.csv, per_layer.csv, class_loadings.csv and summary.json.
#include "config.h"
#include "process_group.h"
#include "spectral_density.h"

#include <QString>
#include <optional>
#include <vector>

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
    bool perLayer = false;    // each layer's trace share and top eigenvalues
};

// What `auto` weighs, each measured on this machine for this network when it decides: one product with the
// matrix-free operator on all n points, and a dense kernel built and solved on a subsample, scaled by n^2.
struct SpectrumCostInputs {
    long long n = 0;
    int topK = 32;
    double productSeconds = 0.0; // one operator column, all n points
    double denseSeconds = 0.0;   // kernel build + top-k solve at `sampleSize` points
    long long sampleSize = 0;
    double availableBytes = 0.0; // memory the machine can give now
    bool distributed = false;    // several processes: only the matrix-free methods span them
};
struct SpectrumCostChoice {
    SpectrumMethod method = SpectrumMethod::Dense;
    double denseSeconds = 0.0, lanczosSeconds = 0.0; // estimates for all n points
    double denseBytes = 0.0;
    QString reason; // one line: what was compared
};
// Lanczos is estimated at 4k + 40 products (Spectra's restarted Lanczos with 2k + 1 vectors, and the
// residual check; 115 to 132 products for k = 32 on Fashion-MNIST kernels); dense at its subsample time
// times (n / sample)^2 and 2 n^2 doubles, refused above half the available memory.
SpectrumCostChoice chooseSpectrumMethod(const SpectrumCostInputs& inputs);

struct LayerSpectrum {
    int layer = 0;               // 0 = the first hidden layer, depth = the output layer
    double trace = 0.0;          // exact, from the layer's diagonal
    Eigen::VectorXd eigenvalues; // descending, top k of the layer's own kernel
    Eigen::VectorXd residuals;
};

struct NetworkSpectrum {
    SpectrumMethod method = SpectrumMethod::Dense; // the one used (auto resolved)
    QString methodReason;                          // why auto chose it, or "asked for"
    int points = 0;
    int processes = 1;
    Eigen::VectorXd eigenvalues; // descending (empty for SLQ)
    Eigen::VectorXd residuals;   // |Theta v - lambda v| / lambda per eigenpair
    // How the residuals were found: "measured" (each pair multiplied by the kernel) or "lanczos" (the
    // Lanczos relation's, verified on two random combinations of the pairs; core/ntk_operator.h)
    QString residualSource = "measured";
    std::optional<SpectralDensity> density;
    double exactTrace = 0.0;      // from the exact diagonal
    long long products = 0;       // operator columns (matrix-free methods)
    double operatorSeconds = 0.0; // spent in those products
    double flopsPerProduct = 0.0; // of one operator column
    double seconds = 0.0;
    double peakResidentBytes = 0.0;    // the largest of any process
    std::vector<LayerSpectrum> layers; // with perLayer
    // Per top eigenvector (rows) and class (columns): the share of its squared entries on points of that
    // class (each row sums to 1), beside each class's share of the points (classShares); classification
    // with eigenvectors only.
    Eigen::MatrixXd classLoadings;
    Eigen::VectorXd classShares;
};

// Throws what the data preparation or the solve throws (the caller maps it with failureMessage) and
// std::invalid_argument for a request that cannot be met (k >= n, too few probes, dense across
// processes). With `group`, every process calls it and gets the same result.
NetworkSpectrum computeNetworkSpectrum(const NetworkSpectrumRequest& request, ProcessGroup* group = nullptr);
// eigenvalues.csv (index, eigenvalue, residual), density.csv (log10 lambda, density, standard error) when
// there is a density, per_layer.csv and class_loadings.csv when there are those, summary.json; each file
// written atomically. Returns an error naming the file.
std::optional<QString> writeNetworkSpectrum(const QString& directory, const NetworkSpectrumRequest& request,
                                            const NetworkSpectrum& spectrum);

} // namespace ntk
