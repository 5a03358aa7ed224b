#include "network_spectrum.h"

#include "atomic_write.h"
#include "data_prep.h"
#include "data_source_cache.h"
#include "ntk.h"
#include "ntk_operator.h"
#include "settings_table.h"
#include "spectrum.h"
#include "trainer.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>

namespace ntk {
namespace {

// Peak resident memory of this process so far (VmHWM), in bytes; 0 where /proc is not there.
double peakResidentBytes() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmHWM:", 0) == 0)
            return 1024.0 * std::stod(line.substr(6));
    return 0.0;
}

} // namespace

std::optional<SpectrumMethod> parseSpectrumMethod(const QString& text) {
    for (SpectrumMethod m :
         {SpectrumMethod::Auto, SpectrumMethod::Dense, SpectrumMethod::Lanczos, SpectrumMethod::Slq})
        if (text == spectrumMethodName(m))
            return m;
    return std::nullopt;
}

QString spectrumMethodName(SpectrumMethod method) {
    switch (method) {
    case SpectrumMethod::Auto:
        return "auto";
    case SpectrumMethod::Dense:
        return "dense";
    case SpectrumMethod::Lanczos:
        return "lanczos";
    case SpectrumMethod::Slq:
        return "slq";
    }
    return {};
}

NetworkSpectrum computeNetworkSpectrum(const NetworkSpectrumRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    // The network train would start from: its data, its shape, its initialization seed.
    const Trainer trainer(request.config, prepare(*sharedDataSource(request.config), request.config));
    const Eigen::MatrixXd& x = trainer.data().train.features;
    const Mlp& model = trainer.model();
    NetworkSpectrum result;
    result.points = int(x.rows());
    result.method = request.method;
    result.methodReason = "asked for";
    if (request.method == SpectrumMethod::Auto) {
        const bool large = result.points > automaticMatrixFreeAbove;
        result.method = large ? SpectrumMethod::Lanczos : SpectrumMethod::Dense;
        result.methodReason = QString("auto: n = %1 is %2 %3 points")
                                  .arg(result.points)
                                  .arg(large ? "above" : "at most")
                                  .arg(automaticMatrixFreeAbove);
    }
    const bool needsK = result.method == SpectrumMethod::Dense || result.method == SpectrumMethod::Lanczos;
    if (needsK && (request.topK < 1 || request.topK >= result.points))
        throw std::invalid_argument("--top-k " + std::to_string(request.topK) +
                                    " for n = " + std::to_string(result.points) + " (needs 1 <= k < n)");
    const NtkOperator op(model, x);
    result.exactTrace = op.diagonal().sum();
    switch (result.method) {
    case SpectrumMethod::Auto:
    case SpectrumMethod::Dense: {
        const Eigen::MatrixXd kernel = empiricalNtk(model, x);
        const Spectrum top = topSpectrum(kernel, request.topK, true);
        if (!top.ok())
            throw std::runtime_error("the dense eigen-solver did not converge");
        result.eigenvalues = top.eigenvalues;
        const Eigen::MatrixXd residual =
            kernel * top.eigenvectors - top.eigenvectors * top.eigenvalues.asDiagonal();
        result.residuals = residual.colwise().norm().transpose().cwiseQuotient(top.eigenvalues.cwiseAbs());
        break;
    }
    case SpectrumMethod::Lanczos: {
        const MatrixFreeSpectrum top = topSpectrumMatrixFree(op, request.topK, request.tolerance);
        if (!top.spectrum.ok())
            throw std::runtime_error("Lanczos on the matrix-free kernel did not converge to --tolerance " +
                                     std::to_string(request.tolerance));
        result.eigenvalues = top.spectrum.eigenvalues;
        result.residuals = top.residuals;
        break;
    }
    case SpectrumMethod::Slq: {
        DensityOptions options;
        options.probes = request.probes;
        options.steps = request.steps;
        options.seed = request.config.seed;
        result.density =
            spectralDensity([&op](const Eigen::MatrixXd& v) { return op.apply(v); }, op.rows(), options);
        break;
    }
    }
    result.products = op.products();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

std::optional<QString> writeNetworkSpectrum(const QString& directory, const NetworkSpectrumRequest& request,
                                            const NetworkSpectrum& spectrum) {
    if (!QDir().mkpath(directory))
        return directory + ": cannot create the folder";
    const QDir dir(directory);
    if (spectrum.eigenvalues.size() > 0) {
        QByteArray csv = "index,eigenvalue,residual\n";
        for (Eigen::Index i = 0; i < spectrum.eigenvalues.size(); ++i)
            csv += QByteArray::number(qlonglong(i + 1)) + ',' +
                   QByteArray::number(spectrum.eigenvalues(i), 'g', 17) + ',' +
                   QByteArray::number(spectrum.residuals(i), 'g', 6) + '\n';
        if (auto error = writeFileAtomically(dir.filePath("eigenvalues.csv"), csv))
            return error;
    }
    if (spectrum.density) {
        QByteArray csv = "log10_lambda,density,standard_error\n";
        const SpectralDensity& d = *spectrum.density;
        for (Eigen::Index i = 0; i < d.log10Lambda.size(); ++i)
            csv += QByteArray::number(d.log10Lambda(i), 'g', 10) + ',' +
                   QByteArray::number(d.density(i), 'g', 10) + ',' +
                   QByteArray::number(d.standardError(i), 'g', 6) + '\n';
        if (auto error = writeFileAtomically(dir.filePath("density.csv"), csv))
            return error;
    }
    QJsonObject summary{{"n", spectrum.points},
                        {"method", spectrumMethodName(spectrum.method)},
                        {"method_reason", spectrum.methodReason},
                        {"matrix_vector_products", double(spectrum.products)},
                        {"seconds", spectrum.seconds},
                        {"peak_resident_bytes", peakResidentBytes()},
                        {"exact_trace", spectrum.exactTrace},
                        {"config", configToJson(request.config)}};
    if (spectrum.eigenvalues.size() > 0)
        summary.insert("lambda_max", spectrum.eigenvalues(0));
    if (spectrum.density) {
        summary.insert("trace_estimate", spectrum.density->traceEstimate);
        summary.insert("trace_standard_error", spectrum.density->traceStandardError);
        summary.insert("probes", request.probes);
        summary.insert("steps", int(spectrum.density->quadrature.nodes.rows()));
        summary.insert("lambda_max", spectrum.density->quadrature.nodes.maxCoeff());
    }
    return writeFileAtomically(dir.filePath("summary.json"), QJsonDocument(summary).toJson());
}

} // namespace ntk
