#include "live_types.h"

namespace ntk {

void amendRunInfo(RunInfo& info, const InitialTheory& theory) {
    info.analyticSpectrum = theory.analyticSpectrum;
    info.analyticTrace = theory.analyticTrace;
    info.analyticFrobenius = theory.analyticFrobenius;
}

void registerLiveTypes() {
    qRegisterMetaType<ntk::RunInfo>();
    qRegisterMetaType<ntk::LiveBatch>();
    qRegisterMetaType<ntk::RunOutcome>();
    qRegisterMetaType<ntk::RunId>("ntk::RunId");
}

RunInfo describeRun(RunId id, const RunConfig& config, const Trainer& trainer) {
    const PreparedData& data = trainer.data();
    RunInfo info;
    info.runId = id;
    info.config = config;
    info.trainSize = int(data.train.size());
    info.testSize = int(data.test.size());
    info.inputDim = int(data.train.dimension());
    info.outputs = trainer.model().shape().outputs;
    info.parameterCount = trainer.model().parameterCount();
    info.datasetName = QString::fromStdString(data.train.name);
    info.data = trainer.sharedData();
    info.trainLabels = data.train.labels;
    info.testLabels = data.test.labels;
    info.trainValues = data.train.values;
    info.testValues = data.test.values;
    if (info.inputDim <= 2) {
        info.trainFeatures = data.train.features;
        info.testFeatures = data.test.features;
    }
    return info;
}

LiveReport makeLiveReport(const Trainer& trainer, EpochReport&& report, bool snapshot) {
    LiveReport live{std::move(report), {}, {}, {}};
    if (live.epoch.epoch == 0 && live.epoch.hasKernel)
        live.initialKernel = trainer.sharedInitialKernel();
    if (snapshot) {
        if (live.epoch.hasKernel)
            live.kernel = trainer.sharedLatestKernel(); // shared, not copied
        live.grid = predictionGrid(trainer.model(), trainer.data().train, trainer.data().test, 80);
    }
    return live;
}

} // namespace ntk
