#include "run_record.h"

#include "run_driver.h"

namespace ntk {

void RunRecord::start(const RunInfo& info) {
    *this = RunRecord();
    info_ = info;
}

void RunRecord::add(const EpochReport& report, std::shared_ptr<const PackedSymmetricMatrix> initialKernel) {
    epochs_.push_back(report);
    if (initialKernel && !initialKernel_ && report.hasKernel)
        initialKernel_ = std::move(initialKernel);
}

void RunRecord::amend(const InitialTheory& theory) {
    if (info_)
        amendRunInfo(*info_, theory);
    for (EpochReport& report : epochs_)
        if (report.epoch == 0) {
            theory.applyTo(report);
            return;
        }
}

void RunRecord::finish(const RunOutcome& outcome) {
    outcome_ = outcome;
}

const EpochReport* RunRecord::firstKernel() const {
    for (const EpochReport& r : epochs_)
        if (r.hasKernel)
            return &r;
    return nullptr;
}

const EpochReport* RunRecord::lastKernel() const {
    for (auto it = epochs_.rbegin(); it != epochs_.rend(); ++it)
        if (it->hasKernel)
            return &*it;
    return nullptr;
}

const EpochReport* RunRecord::finalReport() const {
    if (epochs_.empty())
        return nullptr;
    if (outcome_ && outcome_->finalEpoch >= 0)
        for (auto it = epochs_.rbegin(); it != epochs_.rend(); ++it)
            if (it->epoch == outcome_->finalEpoch)
                return &*it;
    return &epochs_.back();
}

const EpochReport* RunRecord::finalKernelReport() const {
    if (outcome_ && outcome_->measuredFinalKernel)
        return &*outcome_->measuredFinalKernel;
    const EpochReport* last = finalReport();
    if (last && last->hasKernel)
        return last;
    // Before the end (or when the final kernel could not be measured): the latest kernel up to it.
    for (auto it = epochs_.rbegin(); it != epochs_.rend(); ++it)
        if (it->hasKernel && (!last || it->epoch <= last->epoch))
            return &*it;
    return nullptr;
}

void RunRecord::dropMatrices() {
    initialKernel_.reset();
    if (outcome_)
        outcome_->finalKernel.reset();
}

void RecordingObserver::runStarted(const RunInfo& info) {
    record.start(info);
    if (next_)
        next_->runStarted(info);
}

void RecordingObserver::epochReported(const EpochReport& report, const Trainer& trainer) {
    record.add(report, report.epoch == 0 ? trainer.sharedInitialKernel() : nullptr);
    if (next_)
        next_->epochReported(report, trainer);
}

void RecordingObserver::initialTheoryReady(const InitialTheory& theory) {
    record.amend(theory);
    if (next_)
        next_->initialTheoryReady(theory);
}

void RecordingObserver::runEnded(const RunOutcome& outcome) {
    record.finish(outcome);
    if (next_)
        next_->runEnded(outcome);
}

RunRecord recordRun(RunId id, const RunConfig& config, const RunControl& control, RunObserver* also) {
    RecordingObserver observer(also);
    driveRun(id, config, observer, control);
    return std::move(observer.record);
}

} // namespace ntk
