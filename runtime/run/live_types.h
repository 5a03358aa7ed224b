#pragma once
// Value types that describe a run and travel from the thread that runs it to whoever watches (through the
// thread inbox, see thread_inbox.h). Every one carries the id of the run it belongs to, so the receiver can
// drop anything from a run that has been replaced.
#include "config.h"
#include "prediction_grid.h"
#include "trainer.h"

#include <QMetaType>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

namespace ntk {

using RunId = quint64;

struct RunInfo {
    RunId runId = 0;
    RunConfig config;
    int trainSize = 0, testSize = 0, inputDim = 0, outputs = 0;
    qint64 parameterCount = 0;
    QString datasetName;
    // The run's training and test points, shared and immutable (the exporter writes them as .npy).
    std::shared_ptr<const PreparedData> data;
    // The points themselves, for the prediction plot (only sent for 1-D and 2-D inputs) and the class order
    // of the kernel heatmap.
    Eigen::MatrixXd trainFeatures, testFeatures;
    Eigen::VectorXi trainLabels, testLabels;
    Eigen::VectorXd trainValues, testValues;
    // The infinite-width limit (see InitialTheory): empty until epoch 0's theory has arrived, and where
    // there is no closed form. The trace and Frobenius norm are the whole matrix's, also when only the
    // top-k eigenvalues are solved.
    Eigen::VectorXd analyticSpectrum;
    std::optional<double> analyticTrace, analyticFrobenius;
};

struct LiveReport {
    EpochReport epoch;
    // A snapshot on some NTK epochs (rate-limited), else null. Shared and immutable: the GUI thread keeps
    // it as it is instead of copying n x n doubles (32 MB at n = 2000) into memory it would fault in.
    std::shared_ptr<const Eigen::MatrixXd> kernel;
    std::optional<PredictionGrid> grid; // likewise, for 1-D and 2-D data
    // With epoch 0's report: the initial kernel, packed, for the run's record (what the export writes).
    std::shared_ptr<const PackedSymmetricMatrix> initialKernel;
};

struct LiveBatch {
    RunId runId = 0;
    std::vector<LiveReport> reports; // consecutive epochs, oldest first
};

// How a run ended, and what it ended with.
struct RunOutcome {
    RunId runId = 0;
    RunState state = RunState::Finished;
    int stopEpoch = 0;
    int bestEpoch = -1;
    int finalEpoch = -1; // see Trainer::finalEpoch
    QString status;      // e.g. "diverged at epoch 12"
    QString failure;     // non-empty: the run could not start or stopped on an error (one line)
    bool cancelled = false;
    double seconds = 0.0; // wall time of the whole run
    // The final parameters, and their kernel (null without NTK epochs or when it was not finite).
    std::shared_ptr<const Mlp> finalModel;
    std::shared_ptr<const Eigen::MatrixXd> finalKernel;
    // The final kernel's numbers when the final epoch had no NTK evaluation (measured at the end).
    std::optional<EpochReport> measuredFinalKernel;
};

void registerLiveTypes();

// What the GUI is told about a run once its data are ready.
RunInfo describeRun(RunId id, const RunConfig& config, const Trainer& trainer);
// Adds the infinite-width limit, computed after epoch 0.
void amendRunInfo(RunInfo& info, const InitialTheory& theory);
// Wraps an epoch's report; with `snapshot`, adds the trainer's latest kernel and a prediction grid.
LiveReport makeLiveReport(const Trainer& trainer, EpochReport&& report, bool snapshot);

} // namespace ntk

Q_DECLARE_METATYPE(ntk::RunInfo)
Q_DECLARE_METATYPE(ntk::LiveBatch)
Q_DECLARE_METATYPE(ntk::RunOutcome)
