#include "live_run.h"

#include "run_export.h"
#include "spectrum.h"

namespace ntk {

LiveRun::LiveRun(QObject* parent)
    : QObject(parent) {
    connectThroughInbox(&worker_, &TrainingWorker::runStarted, &inbox_,
                        [this](const RunInfo& info) { onStarted(info); });
    connectThroughInbox(&worker_, &TrainingWorker::epochsReady, &inbox_,
                        [this](LiveBatch batch) { onEpochs(std::move(batch)); });
    connectThroughInbox(&worker_, &TrainingWorker::initialTheoryReady, &inbox_,
                        [this](RunId id, const InitialTheory& theory) { onTheory(id, theory); });
    connectThroughInbox(&worker_, &TrainingWorker::runEnded, &inbox_,
                        [this](const RunOutcome& outcome) { onEnded(outcome); });
    connectThroughInbox(&worker_, &TrainingWorker::runFailed, &inbox_,
                        [this](RunId id, const QString& reason) { onFailed(id, reason); });
    connectThroughInbox(&referenceWorker_, &TrainingWorker::runStarted, &inbox_, [this](const RunInfo& info) {
        if (info.runId == referenceWorker_.currentRunId())
            apply([this, info] { reference_.reset(info); });
    });
    connectThroughInbox(&referenceWorker_, &TrainingWorker::epochsReady, &inbox_,
                        [this](const LiveBatch& batch) { onReferenceEpochs(batch); });
    connectThroughInbox(&referenceWorker_, &TrainingWorker::initialTheoryReady, &inbox_,
                        [this](RunId id, const InitialTheory& theory) {
                            if (id == referenceWorker_.currentRunId())
                                apply([this, id, theory] { reference_.amend(id, theory); });
                        });
    connectThroughInbox(&referenceWorker_, &TrainingWorker::runEnded, &inbox_,
                        [this](const RunOutcome& outcome) {
                            if (outcome.runId == referenceWorker_.currentRunId())
                                apply([this, outcome] { reference_.setOutcome(outcome); });
                        });
    frameTimer_.setInterval(frameIntervalMs);
    connect(&frameTimer_, &QTimer::timeout, this, [this] {
        if (changed_ && !inFrame_) {
            changed_ = false;
            emit frameDue();
        }
    });
    frameTimer_.start();
}

LiveRun::~LiveRun() = default;

RunConfig LiveRun::effectiveConfig(const RunConfig& requested, QStringList* notices) {
    RunConfig config = requested;
    if (config.dataset == DatasetKind::Sine && config.loss == LossKind::CrossEntropy) {
        config.loss = LossKind::Mse; // regression data: cross-entropy has no meaning
        if (notices)
            *notices << tr("Sine is a regression task: switched the loss to mse.");
    }
    if (config.topK == 0 && config.ntkEvery > 0 && config.trainSize > automaticTopKAbove) {
        config.topK = automaticTopK;
        if (notices)
            *notices
                << tr("n = %1: showing the top %2 eigenvalues, since a full solve would take seconds per "
                      "NTK epoch. Set top-k to %1 for all of them.")
                       .arg(config.trainSize)
                       .arg(automaticTopK);
    }
    const bool matrixFree =
        config.kernelSolver == KernelSolver::MatrixFree ||
        (config.kernelSolver == KernelSolver::Auto && config.trainSize > Trainer::maxDenseKernelPoints);
    if (matrixFree && config.ntkEvery > 0 && config.ntkEvery < matrixFreeNtkEvery) {
        config.ntkEvery = matrixFreeNtkEvery;
        if (notices)
            *notices
                << tr("n = %1: the kernel is solved as an operator, which takes seconds to a minute per NTK "
                      "epoch; measuring it every %2th epoch. Set ntk-every to change that.")
                       .arg(config.trainSize)
                       .arg(matrixFreeNtkEvery);
    }
    return config;
}

std::optional<QString> LiveRun::start(const RunConfig& requested) {
    QStringList notices;
    const RunConfig config = effectiveConfig(requested, &notices);
    if (auto problem = validate(config))
        return QString::fromStdString(*problem);
    for (const QString& message : notices)
        emit notice(message);
    failure_.clear();
    stopped_ = false;
    settings_ = requested;
    pendingSettings_ = requested;
    worker_.start(config);
    return std::nullopt;
}

void LiveRun::cancel() {
    worker_.cancel();
    referenceWorker_.cancel();
}

void LiveRun::stop() {
    worker_.cancel();
    stopped_ = true;
    changed_ = true;
}

void LiveRun::setPaused(bool paused) {
    worker_.setPaused(paused);
}

void LiveRun::step() {
    worker_.step();
}

void LiveRun::setSpeedLimit(double epochsPerSecond) {
    speedLimit_ = epochsPerSecond;
    worker_.setMaxEpochsPerSecond(epochsPerSecond);
}

QString LiveRun::stateText() const {
    if (!failure_.isEmpty())
        return tr("failed: %1").arg(failure_);
    if (stopped_)
        return tr("stopped");
    if (preparing())
        return tr("preparing data…");
    if (const auto& outcome = history_.outcome())
        return outcome->status;
    return isPaused() ? tr("paused") : tr("running");
}

void LiveRun::apply(std::function<void()> event) {
    if (inFrame_) {
        held_.push_back(std::move(event));
        return;
    }
    event();
    changed_ = true;
}

void LiveRun::beginFrame() {
    inFrame_ = true;
}

void LiveRun::endFrame() {
    inFrame_ = false;
    std::vector<std::function<void()>> held;
    held.swap(held_);
    for (auto& event : held)
        apply(std::move(event));
}

void LiveRun::requestFrame() {
    changed_ = true;
}

void LiveRun::onStarted(const RunInfo& info) {
    if (info.runId != worker_.currentRunId())
        return; // a run that has since been replaced
    apply([this, info] {
        if (info.runId != worker_.currentRunId())
            return;
        history_.reset(info);
        record_.start(info);
        shownConfig_ = info.config;
        shownSettings_ = pendingSettings_;
        emit runStarted(info);
    });
}

void LiveRun::onEpochs(LiveBatch batch) {
    if (batch.runId != worker_.currentRunId())
        return;
    apply([this, batch = std::move(batch)]() mutable {
        if (batch.runId != history_.runId() || batch.runId != worker_.currentRunId())
            return;
        for (const LiveReport& live : batch.reports)
            record_.add(live.epoch, live.initialKernel);
        history_.append(std::move(batch));
    });
}

void LiveRun::onTheory(RunId id, const InitialTheory& theory) {
    if (id != worker_.currentRunId())
        return;
    apply([this, id, theory] {
        if (id != history_.runId() || id != worker_.currentRunId())
            return;
        record_.amend(theory);
        history_.amend(id, theory);
    });
}

void LiveRun::onEnded(const RunOutcome& outcome) {
    if (outcome.runId != worker_.currentRunId())
        return;
    apply([this, outcome] {
        if (outcome.runId != history_.runId() || outcome.runId != worker_.currentRunId())
            return;
        record_.finish(outcome);
        history_.setOutcome(outcome);
    });
}

void LiveRun::onFailed(RunId id, const QString& reason) {
    if (id != worker_.currentRunId())
        return;
    // The previous run's data stay on screen, and its settings are in effect again.
    failure_ = reason;
    settings_ = shownSettings_;
    emit runFailed(reason);
}

bool LiveRun::pin() {
    if (!history_.hasRun() || !history_.latest())
        return false;
    referenceWorker_.cancel(); // a reference still being rebuilt is replaced
    reference_ = history_;
    pinned_ = PinnedReference{history_.info().config, history_.latest()->epoch};
    requestFrame();
    emit referenceChanged();
    return true;
}

void LiveRun::unpin() {
    referenceWorker_.cancel();
    reference_.clear();
    pinned_.reset();
    requestFrame();
    emit referenceChanged();
}

void LiveRun::restoreReference(const PinnedReference& pinned) {
    reference_.clear();
    pinned_ = pinned;
    referenceWorker_.start(pinned.config);
    requestFrame();
    emit referenceChanged();
}

void LiveRun::onReferenceEpochs(const LiveBatch& batch) {
    if (batch.runId != referenceWorker_.currentRunId() || !pinned_)
        return;
    // Same config, same seed: the same numbers as when it was pinned, up to the epoch it had reached.
    LiveBatch kept{batch.runId, {}};
    bool pastPinnedEpoch = false;
    for (const LiveReport& report : batch.reports) {
        if (report.epoch.epoch <= pinned_->epochs)
            kept.reports.push_back(report);
        else
            pastPinnedEpoch = true;
    }
    apply([this, kept = std::move(kept)]() mutable { reference_.append(std::move(kept)); });
    if (pastPinnedEpoch)
        referenceWorker_.cancel(); // the pinned run had not gone further
}

std::optional<QString> LiveRun::exportRun(const QString& directory, QStringList* written) const {
    if (!record_.hasInfo())
        return tr("there is no run to export yet");
    return writeRunDirectory(directory, record_, nullptr, written);
}

} // namespace ntk
