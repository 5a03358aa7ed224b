#include "network_spectrum.h"

#include "atomic_write.h"
#include "data_prep.h"
#include "ntk.h"
#include "ntk_operator.h"
#include "process_memory.h"
#include "settings_table.h"
#include "spectrum.h"
#include "trainer.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace ntk {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Points of the dense trial `auto` times: large enough for the build to run at its real speed.
constexpr Eigen::Index denseSamplePoints = 1000;
// Above this many points a layer whose Lanczos did not converge is not solved densely instead.
constexpr Eigen::Index denseLayerFallbackPoints = 4000;

QString secondsText(double s) {
    return s < 10 ? QString::number(s, 'f', 2) + " s" : QString::number(s, 'f', 0) + " s";
}

QString gigabytesText(double bytes) {
    return QString::number(bytes / 1e9, 'f', bytes < 1e9 ? 2 : 1) + " GB";
}

// |A v - lambda v| / lambda per eigenpair of a dense kernel.
Eigen::VectorXd denseResiduals(const Eigen::MatrixXd& kernel, const Spectrum& top) {
    const Eigen::MatrixXd residual =
        kernel * top.eigenvectors - top.eigenvectors * top.eigenvalues.asDiagonal();
    return residual.colwise().norm().transpose().cwiseQuotient(top.eigenvalues.cwiseAbs());
}

// Times one operator product and a dense build + solve on a subsample, for chooseSpectrumMethod.
SpectrumCostInputs measureCosts(const Mlp& model, const Eigen::MatrixXd& x, const NtkOperator& op, int k) {
    SpectrumCostInputs inputs;
    inputs.n = op.rows();
    inputs.topK = k;
    inputs.availableBytes = availableMemoryBytes();
    const Eigen::MatrixXd probe = Eigen::MatrixXd::Ones(op.rows(), 1);
    auto start = Clock::now();
    (void)op.apply(probe);
    inputs.productSeconds = secondsSince(start);
    inputs.sampleSize = std::min<Eigen::Index>(x.rows(), denseSamplePoints);
    const Eigen::MatrixXd sample = x.topRows(inputs.sampleSize);
    start = Clock::now();
    const Eigen::MatrixXd kernel = empiricalNtk(model, sample);
    (void)topSpectrum(kernel, std::min<int>(k, int(inputs.sampleSize) - 1), true);
    inputs.denseSeconds = secondsSince(start);
    return inputs;
}

// Each class's share of the squared entries of each eigenvector (rows), over this process's points.
Eigen::MatrixXd classLoadings(const Eigen::MatrixXd& vectors, const Eigen::VectorXi& labels, int classCount,
                              Eigen::Index firstRow, ProcessGroup* group) {
    Eigen::MatrixXd loadings = Eigen::MatrixXd::Zero(vectors.cols(), classCount);
    for (Eigen::Index i = 0; i < labels.size(); ++i)
        loadings.col(labels(i)) += vectors.row(firstRow + i).cwiseAbs2().transpose();
    if (group)
        group->sum(loadings.data(), std::size_t(loadings.size()));
    const Eigen::VectorXd total = loadings.rowwise().sum();
    for (Eigen::Index j = 0; j < loadings.rows(); ++j)
        if (total(j) > 0)
            loadings.row(j) /= total(j);
    return loadings;
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

SpectrumCostChoice chooseSpectrumMethod(const SpectrumCostInputs& in) {
    SpectrumCostChoice choice;
    const double n = double(in.n);
    const double scale = in.sampleSize > 0 ? std::pow(n / double(in.sampleSize), 2.0) : 0.0;
    choice.denseSeconds = in.denseSeconds * scale;
    choice.lanczosSeconds = (4.0 * in.topK + 40.0) * in.productSeconds;
    choice.denseBytes = 2.0 * n * n * double(sizeof(double));
    const QString lanczos = QString("lanczos about %1 (%2 products of %3)")
                                .arg(secondsText(choice.lanczosSeconds))
                                .arg(4 * in.topK + 40)
                                .arg(secondsText(in.productSeconds));
    if (in.distributed) {
        choice.method = SpectrumMethod::Lanczos;
        choice.reason =
            "auto: the points are split across processes, which only the matrix-free methods span";
        return choice;
    }
    if (in.availableBytes > 0 && choice.denseBytes > 0.5 * in.availableBytes) {
        choice.method = SpectrumMethod::Lanczos;
        choice.reason = QString("auto: dense would need %1, over half the %2 available; %3")
                            .arg(gigabytesText(choice.denseBytes), gigabytesText(in.availableBytes), lanczos);
        return choice;
    }
    choice.method =
        choice.denseSeconds <= choice.lanczosSeconds ? SpectrumMethod::Dense : SpectrumMethod::Lanczos;
    choice.reason = QString("auto: dense about %1 (%2, measured at %3 points), %4")
                        .arg(secondsText(choice.denseSeconds), gigabytesText(choice.denseBytes))
                        .arg(in.sampleSize)
                        .arg(lanczos);
    return choice;
}

NetworkSpectrum computeNetworkSpectrum(const NetworkSpectrumRequest& request, ProcessGroup* group) {
    const auto start = Clock::now();
    const bool needsK = request.method != SpectrumMethod::Slq;
    const int n = request.config.trainSize;
    if (needsK && (request.topK < 1 || request.topK >= n))
        throw std::invalid_argument("--top-k " + std::to_string(request.topK) +
                                    " for n = " + std::to_string(n) + " (needs 1 <= k < n)");
    if (group && group->size() > 1 && request.method == SpectrumMethod::Dense)
        throw std::invalid_argument("--method dense runs in one process; across " +
                                    std::to_string(group->size()) + " processes use lanczos or slq");

    // The training points train would use (the test split plays no part here, so it is not loaded), this
    // process's part of them only; the raw pool is released once they are made.
    RunConfig dataConfig = request.config;
    dataConfig.testSize = 0;
    const ShardRange part = group ? shardRange(n, group->rank(), group->size()) : ShardRange{0, n};
    const PreparedData data = [&] {
        const DataSource source = loadSource(dataConfig);
        return group ? prepareSlice(source, dataConfig, part.first, part.count) : prepare(source, dataConfig);
    }();
    const Eigen::MatrixXd& x = data.train.features;
    const Mlp model = initialModel(request.config, data.train);
    NtkOperatorOptions options;
    if (group)
        options.exchange = shardExchange(*group, n);
    const NtkOperator op(model, x, options);

    NetworkSpectrum result;
    result.points = n;
    result.processes = group ? group->size() : 1;
    result.method = request.method;
    result.methodReason = "asked for";
    result.flopsPerProduct = op.flopsPerColumn();
    if (request.method == SpectrumMethod::Auto) {
        SpectrumCostInputs inputs;
        if (group && group->size() > 1)
            inputs.distributed = true;
        else
            inputs = measureCosts(model, x, op, request.topK);
        const SpectrumCostChoice choice = chooseSpectrumMethod(inputs);
        result.method = choice.method;
        result.methodReason = choice.reason;
    }

    Eigen::MatrixXd vectors; // top eigenvectors, for the class loadings
    switch (result.method) {
    case SpectrumMethod::Auto:
    case SpectrumMethod::Dense: {
        const Eigen::MatrixXd kernel = empiricalNtk(model, x);
        result.exactTrace = kernel.trace();
        const Spectrum top = topSpectrum(kernel, request.topK, true);
        if (!top.ok())
            throw std::runtime_error("the dense eigen-solver did not converge");
        result.eigenvalues = top.eigenvalues;
        result.residuals = denseResiduals(kernel, top);
        vectors = top.eigenvectors;
        break;
    }
    case SpectrumMethod::Lanczos: {
        MatrixFreeSpectrum top = topSpectrumMatrixFree(op, request.topK, request.tolerance);
        if (!top.spectrum.ok())
            throw std::runtime_error("Lanczos on the matrix-free kernel did not converge to --tolerance " +
                                     std::to_string(request.tolerance));
        result.eigenvalues = top.spectrum.eigenvalues;
        result.residuals = top.residuals;
        result.residualSource = top.residualsMeasured ? "measured" : "lanczos";
        vectors = std::move(top.spectrum.eigenvectors);
        break;
    }
    case SpectrumMethod::Slq: {
        DensityOptions density;
        density.probes = request.probes;
        density.steps = request.steps;
        density.seed = request.config.seed;
        result.density =
            spectralDensity([&op](const Eigen::MatrixXd& v) { return op.apply(v); }, op.rows(), density);
        break;
    }
    }

    if (result.method != SpectrumMethod::Dense || request.perLayer) {
        const Eigen::MatrixXd diagonals = op.layerDiagonals(); // n x layers, exact
        result.exactTrace = diagonals.sum();
        if (request.perLayer)
            for (int l = 0; l < op.layerCount(); ++l) {
                LayerSpectrum layer;
                layer.layer = l;
                layer.trace = diagonals.col(l).sum();
                const int k = std::min(needsK ? request.topK : 32, n - 1);
                MatrixFreeSpectrum top = topSpectrumMatrixFree(op, k, request.tolerance, l);
                if (!top.spectrum.ok() && n <= denseLayerFallbackPoints && !group) {
                    // A layer's kernel can have rank below k (the output layer's is at most width + 1),
                    // which restarted Lanczos does not always survive: solve that layer densely.
                    const Eigen::MatrixXd kernel = op.applyLayer(l, Eigen::MatrixXd::Identity(n, n));
                    const Spectrum dense = topSpectrum(0.5 * (kernel + kernel.transpose()), k, true);
                    if (dense.ok()) {
                        top.spectrum = dense;
                        top.residuals = denseResiduals(kernel, dense);
                    }
                }
                if (!top.spectrum.ok())
                    throw std::runtime_error("Lanczos on layer " + std::to_string(l) +
                                             "'s kernel did not converge to --tolerance " +
                                             std::to_string(request.tolerance));
                layer.eigenvalues = top.spectrum.eigenvalues;
                layer.residuals = top.residuals;
                result.layers.push_back(std::move(layer));
            }
    }

    if (data.train.task == TaskKind::Classification && data.train.classCount > 0) {
        const int classes = data.train.classCount;
        result.classShares = Eigen::VectorXd::Zero(classes);
        for (Eigen::Index i = 0; i < data.train.labels.size(); ++i)
            result.classShares(data.train.labels(i)) += 1.0;
        if (group)
            group->sum(result.classShares.data(), std::size_t(classes));
        result.classShares /= double(n);
        if (vectors.cols() > 0)
            result.classLoadings = classLoadings(vectors, data.train.labels, classes, part.first, group);
    }
    result.products = op.products();
    result.operatorSeconds = op.productSeconds();
    result.seconds = secondsSince(start);
    result.peakResidentBytes = peakResidentBytes();
    if (group)
        group->max(&result.peakResidentBytes, 1);
    return result;
}

std::optional<QString> writeNetworkSpectrum(const QString& directory, const NetworkSpectrumRequest& request,
                                            const NetworkSpectrum& spectrum) {
    if (!QDir().mkpath(directory))
        return directory + ": cannot create the folder";
    const QDir dir(directory);
    const auto number = [](double v, int digits = 17) { return QByteArray::number(v, 'g', digits); };
    if (spectrum.eigenvalues.size() > 0) {
        QByteArray csv = "index,eigenvalue,residual\n";
        for (Eigen::Index i = 0; i < spectrum.eigenvalues.size(); ++i)
            csv += QByteArray::number(qlonglong(i + 1)) + ',' + number(spectrum.eigenvalues(i)) + ',' +
                   number(spectrum.residuals(i), 6) + '\n';
        if (auto error = writeFileAtomically(dir.filePath("eigenvalues.csv"), csv))
            return error;
    }
    if (spectrum.density) {
        QByteArray csv = "log10_lambda,density,standard_error,at_or_above\n";
        const SpectralDensity& d = *spectrum.density;
        for (Eigen::Index i = 0; i < d.log10Lambda.size(); ++i)
            csv += number(d.log10Lambda(i), 10) + ',' + number(d.density(i), 10) + ',' +
                   number(d.standardError(i), 6) + ',' + number(d.atOrAbove(i), 8) + '\n';
        if (auto error = writeFileAtomically(dir.filePath("density.csv"), csv))
            return error;
    }
    QJsonArray layers;
    if (!spectrum.layers.empty()) {
        // One row per layer and eigenvalue (tidy: the layer's trace repeats on its rows).
        QByteArray csv = "layer,trace,trace_share,index,eigenvalue,residual\n";
        for (const LayerSpectrum& layer : spectrum.layers) {
            const double share = spectrum.exactTrace > 0 ? layer.trace / spectrum.exactTrace : 0.0;
            for (Eigen::Index i = 0; i < layer.eigenvalues.size(); ++i)
                csv += QByteArray::number(layer.layer) + ',' + number(layer.trace) + ',' + number(share) +
                       ',' + QByteArray::number(qlonglong(i + 1)) + ',' + number(layer.eigenvalues(i)) + ',' +
                       number(layer.residuals(i), 6) + '\n';
            layers.append(QJsonObject{{"layer", layer.layer},
                                      {"trace", layer.trace},
                                      {"trace_share", share},
                                      {"lambda_max", layer.eigenvalues.size() ? layer.eigenvalues(0) : 0.0}});
        }
        if (auto error = writeFileAtomically(dir.filePath("per_layer.csv"), csv))
            return error;
    }
    if (spectrum.classLoadings.size() > 0) {
        // Per top eigenvector, each class's share of its squared entries; the first row gives each class's
        // share of the points, what an eigenvector spread evenly over the points would show.
        QByteArray csv = "index,eigenvalue";
        for (Eigen::Index c = 0; c < spectrum.classLoadings.cols(); ++c)
            csv += ",class_" + QByteArray::number(qlonglong(c));
        csv += "\npoints,";
        for (Eigen::Index c = 0; c < spectrum.classShares.size(); ++c)
            csv += ',' + number(spectrum.classShares(c), 10);
        csv += '\n';
        for (Eigen::Index j = 0; j < spectrum.classLoadings.rows(); ++j) {
            csv += QByteArray::number(qlonglong(j + 1)) + ',' + number(spectrum.eigenvalues(j));
            for (Eigen::Index c = 0; c < spectrum.classLoadings.cols(); ++c)
                csv += ',' + number(spectrum.classLoadings(j, c), 10);
            csv += '\n';
        }
        if (auto error = writeFileAtomically(dir.filePath("class_loadings.csv"), csv))
            return error;
    }
    QJsonObject summary{{"n", spectrum.points},
                        {"processes", spectrum.processes},
                        {"method", spectrumMethodName(spectrum.method)},
                        {"method_reason", spectrum.methodReason},
                        {"matrix_vector_products", double(spectrum.products)},
                        {"operator_seconds", spectrum.operatorSeconds},
                        {"operator_flops_per_product", spectrum.flopsPerProduct},
                        {"seconds", spectrum.seconds},
                        {"peak_resident_bytes", spectrum.peakResidentBytes},
                        {"exact_trace", spectrum.exactTrace},
                        {"config", configToJson(request.config)}};
    if (spectrum.eigenvalues.size() > 0)
        summary.insert("lambda_max", spectrum.eigenvalues(0));
    summary.insert("residual_source", spectrum.residualSource);
    if (spectrum.density) {
        summary.insert("trace_estimate", spectrum.density->traceEstimate);
        summary.insert("trace_standard_error", spectrum.density->traceStandardError);
        summary.insert("probes", request.probes);
        summary.insert("steps", int(spectrum.density->quadrature.nodes.rows()));
        summary.insert("lambda_max", spectrum.density->quadrature.nodes.maxCoeff());
    }
    if (!layers.isEmpty())
        summary.insert("layers", layers);
    return writeFileAtomically(dir.filePath("summary.json"), QJsonDocument(summary).toJson());
}

} // namespace ntk
