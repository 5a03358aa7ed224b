#include "scene_summary.h"

#include "atomic_write.h"
#include "run_export.h"

#include <QDir>
#include <QFile>
#include <cmath>

namespace ntk {
namespace {

QString csvText(QString text) {
    if (text.contains(',') || text.contains('"'))
        text = '"' + text.replace("\"", "\"\"") + '"';
    return text;
}

QString cell(const std::optional<double>& v) {
    return v ? formatNumber(*v) : QString();
}

// Prefixes every data row of a per-run CSV with the run's index and label; the header once.
QByteArray prefixed(const std::vector<RunResult>& runs,
                    QByteArray (*table)(const std::vector<EpochReport>&)) {
    QStringList lines;
    for (const RunResult& run : runs) {
        const QStringList rows = QString::fromUtf8(table(run.reports())).split('\n', Qt::SkipEmptyParts);
        if (rows.isEmpty())
            continue;
        if (lines.isEmpty())
            lines << "run_index,label," + rows.first();
        for (qsizetype i = 1; i < rows.size(); ++i)
            lines << QString::number(run.index) + ',' + csvText(run.label) + ',' + rows[i];
    }
    return (lines.join('\n') + '\n').toUtf8();
}

} // namespace

std::vector<SummaryMetric> allSummaryMetrics() {
    using M = SummaryMetric;
    return {M::LambdaMax,      M::Trace,     M::Frobenius, M::EffectiveRank, M::TopShare1,
            M::KernelDistance, M::TrainLoss, M::TestLoss,  M::TestAccuracy};
}

QString metricKey(SummaryMetric metric) {
    switch (metric) {
    case SummaryMetric::LambdaMax:
        return "lambda_max";
    case SummaryMetric::Trace:
        return "trace";
    case SummaryMetric::Frobenius:
        return "frobenius";
    case SummaryMetric::EffectiveRank:
        return "effective_rank";
    case SummaryMetric::TopShare1:
        return "top1_share";
    case SummaryMetric::KernelDistance:
        return "kernel_distance";
    case SummaryMetric::TrainLoss:
        return "train_loss";
    case SummaryMetric::TestLoss:
        return "test_loss";
    case SummaryMetric::TestAccuracy:
        return "test_accuracy";
    }
    return {};
}

QString metricLabel(SummaryMetric metric) {
    switch (metric) {
    case SummaryMetric::LambdaMax:
        return QObject::tr("final λₘₐₓ");
    case SummaryMetric::Trace:
        return QObject::tr("final trace");
    case SummaryMetric::Frobenius:
        return QObject::tr("final Frobenius norm ‖Θ‖");
    case SummaryMetric::EffectiveRank:
        return QObject::tr("final effective rank");
    case SummaryMetric::TopShare1:
        return QObject::tr("share of trace in λ₁");
    case SummaryMetric::KernelDistance:
        return QObject::tr("kernel distance from init");
    case SummaryMetric::TrainLoss:
        return QObject::tr("final train loss");
    case SummaryMetric::TestLoss:
        return QObject::tr("final test loss");
    case SummaryMetric::TestAccuracy:
        return QObject::tr("final test accuracy");
    }
    return {};
}

std::optional<SummaryMetric> parseMetric(const QString& key) {
    for (SummaryMetric m : allSummaryMetrics())
        if (metricKey(m) == key)
            return m;
    return std::nullopt;
}

std::optional<std::vector<SummaryMetric>> parseMetrics(const QString& keys) {
    std::vector<SummaryMetric> metrics;
    for (const QString& key : keys.split('+')) {
        const auto metric = parseMetric(key);
        if (!metric)
            return std::nullopt;
        metrics.push_back(*metric);
    }
    return metrics;
}

std::optional<double> finalMetric(const RunResult& run, SummaryMetric metric) {
    if (run.reports().empty())
        return std::nullopt;
    const EpochReport& last = *run.finalReport();
    const EpochReport* kernel = run.finalKernel();
    switch (metric) {
    case SummaryMetric::TrainLoss:
        return last.trainLoss;
    case SummaryMetric::TestLoss:
        return last.testLoss;
    case SummaryMetric::TestAccuracy:
        return last.testAccuracy;
    default:
        break;
    }
    if (!kernel)
        return std::nullopt;
    switch (metric) {
    case SummaryMetric::LambdaMax:
        return kernel->kernel.lambdaMax;
    case SummaryMetric::Trace:
        return kernel->kernel.trace;
    case SummaryMetric::Frobenius:
        return kernel->kernel.frobeniusNorm;
    case SummaryMetric::EffectiveRank:
        return kernel->kernel.effectiveRank;
    case SummaryMetric::TopShare1:
        return kernel->kernel.topShare1;
    case SummaryMetric::KernelDistance:
        return kernel->kernel.kernelDistance;
    default:
        return std::nullopt;
    }
}

std::optional<double> infiniteWidthMetric(const RunResult& run, SummaryMetric metric) {
    const RunInfo* info = run.info();
    if (!info || info->analyticSpectrum.size() == 0)
        return std::nullopt;
    switch (metric) {
    case SummaryMetric::LambdaMax:
        return info->analyticSpectrum.maxCoeff();
    case SummaryMetric::Trace: // of the whole matrix: the spectrum may be the top-k only
        return info->analyticTrace;
    case SummaryMetric::Frobenius:
        return info->analyticFrobenius;
    default:
        return std::nullopt;
    }
}

Moments logSpectrumMoments(const RunResult& run) {
    const EpochReport* kernel = run.finalKernel();
    if (!kernel)
        return {};
    if (kernel->density) // a matrix-free run: the whole spectrum is known by its density only
        return weightedMoments(kernel->density->log10Lambda, kernel->density->density);
    std::vector<double> logs;
    for (double v : kernel->eigenvalues)
        if (v > 0.0)
            logs.push_back(std::log10(v));
    return moments(Eigen::Map<const Eigen::VectorXd>(logs.data(), Eigen::Index(logs.size())));
}

std::optional<LinearFit> metricFit(const std::vector<RunResult>& runs, SummaryMetric metric) {
    std::vector<double> xs, ys;
    for (const RunResult& run : runs)
        if (const auto y = finalMetric(run, metric); y && run.error().isEmpty()) {
            xs.push_back(run.sweepValue);
            ys.push_back(*y);
        }
    if (xs.size() < 2)
        return std::nullopt;
    return fitLine(Eigen::Map<const Eigen::VectorXd>(xs.data(), Eigen::Index(xs.size())),
                   Eigen::Map<const Eigen::VectorXd>(ys.data(), Eigen::Index(ys.size())));
}

QByteArray sceneRunsCsv(const Scene& scene, const std::vector<RunResult>& runs) {
    QStringList header{"run_index", "label", scene.sweepKey.isEmpty() ? "run" : scene.sweepKey};
    if (!scene.seriesKey.isEmpty())
        header << scene.seriesKey;
    header << "status"
           << "stop_epoch"
           << "best_epoch"
           << "initial_lambda_max"
           << "initial_trace";
    for (SummaryMetric m : allSummaryMetrics())
        header << metricKey(m);
    header << "infinite_width_lambda_max"
           << "infinite_width_trace"
           << "log10_eigenvalue_mean"
           << "log10_eigenvalue_variance"
           << "log10_eigenvalue_skewness"
           << "log10_eigenvalue_kurtosis"
           << "error";
    QStringList lines{header.join(',')};
    for (const RunResult& run : runs) {
        QStringList row{QString::number(run.index), csvText(run.label), formatNumber(run.sweepValue)};
        if (!scene.seriesKey.isEmpty())
            row << csvText(run.seriesLabel);
        const EpochReport* first = run.firstKernel();
        row << csvText(run.status()) << QString::number(run.stopEpoch()) << QString::number(run.bestEpoch())
            << cell(first ? std::optional(first->kernel.lambdaMax) : std::nullopt)
            << cell(first ? std::optional(first->kernel.trace) : std::nullopt);
        for (SummaryMetric m : allSummaryMetrics())
            row << cell(finalMetric(run, m));
        row << cell(infiniteWidthMetric(run, SummaryMetric::LambdaMax))
            << cell(infiniteWidthMetric(run, SummaryMetric::Trace));
        const Moments mo = logSpectrumMoments(run);
        row << formatNumber(mo.mean) << formatNumber(mo.variance) << formatNumber(mo.skewness)
            << formatNumber(mo.kurtosis) << csvText(run.error());
        lines << row.join(',');
    }
    return (lines.join('\n') + '\n').toUtf8();
}

QByteArray sceneEpochsCsv(const std::vector<RunResult>& runs) {
    return prefixed(runs, &epochsCsv);
}
QByteArray sceneSpectraCsv(const std::vector<RunResult>& runs) {
    return prefixed(runs, &spectraCsv);
}

std::optional<QString> writeSceneDirectory(const QString& directory, const Scene& scene,
                                           const std::vector<RunResult>& runs) {
    if (!QDir().mkpath(directory))
        return directory + ": cannot create the output directory";
    QFile source(scene.path);
    const QByteArray sceneJson = source.open(QIODevice::ReadOnly) ? source.readAll() : QByteArray();
    const QDir dir(directory);
    for (const auto& [name, bytes] : {std::pair{QString("runs.csv"), sceneRunsCsv(scene, runs)},
                                      std::pair{QString("epochs.csv"), sceneEpochsCsv(runs)},
                                      std::pair{QString("spectra.csv"), sceneSpectraCsv(runs)},
                                      std::pair{QString("scene.json"), sceneJson}})
        if (auto error = writeFileAtomically(dir.filePath(name), bytes))
            return error;
    return std::nullopt;
}

} // namespace ntk
