#pragma once
// Numbers that compare the runs of a scene: one row per run, and fits across runs. Computed here, not
// in the plots, so the command line writes exactly what the app draws.
#include "scene.h"
#include "statistics.h"
#include "sweep_runner.h"

#include <QByteArray>
#include <optional>

namespace ntk {

// The quantities a summary plot can show against the varied setting.
enum class SummaryMetric {
    LambdaMax,
    Trace,
    Frobenius,
    EffectiveRank,
    TopShare1,
    KernelDistance,
    TrainLoss,
    TestLoss,
    TestAccuracy
};
std::vector<SummaryMetric> allSummaryMetrics();
QString metricKey(SummaryMetric metric);   // e.g. "frobenius"
QString metricLabel(SummaryMetric metric); // e.g. "Frobenius norm ‖Θ‖_F"
std::optional<SummaryMetric> parseMetric(const QString& key);
// "trace+lambda_max": metrics that share one summary plot; nullopt if any key is not a metric.
std::optional<std::vector<SummaryMetric>> parseMetrics(const QString& keys);

// The metric for the parameters the run ends with (RunResult::finalReport: the restored best epoch of an
// early-stopped run); kernel metrics from those parameters' kernel (RunResult::finalKernel); nullopt if
// not measured.
std::optional<double> finalMetric(const RunResult& run, SummaryMetric metric);
// The infinite-width NTK's value of lambda_max or trace for the run's architecture and points (metrics with
// a limit only; nullopt where there is no closed form or for the standard parameterization).
std::optional<double> infiniteWidthMetric(const RunResult& run, SummaryMetric metric);
// Moments of log10 of the final positive eigenvalues (of their density for a run solved matrix-free, whose
// smoothing adds its width squared, 0.0025, to the variance).
Moments logSpectrumMoments(const RunResult& run);
// A least-squares line of the metric against the sweep value, over runs that have both.
std::optional<LinearFit> metricFit(const std::vector<RunResult>& runs, SummaryMetric metric);

QByteArray sceneRunsCsv(const Scene& scene, const std::vector<RunResult>& runs);
QByteArray sceneEpochsCsv(const std::vector<RunResult>& runs);
QByteArray sceneSpectraCsv(const std::vector<RunResult>& runs);
// runs.csv, epochs.csv, spectra.csv, scene.json; atomically, each.
std::optional<QString> writeSceneDirectory(const QString& directory, const Scene& scene,
                                           const std::vector<RunResult>& runs);

} // namespace ntk
