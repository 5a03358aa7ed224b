#pragma once
// One run, complete: what it was (info), every epoch's report with its eigenvalues, the initial kernel, and
// how it ended (outcome: state, the final epoch, the final parameters and kernel). Every exporter reads
// this, and only this: the command line, headless export, the window's File menu and scene summaries.
//
// "Final" means one thing everywhere: the parameters the run ends with, which for an early-stopped run
// that restores its best epoch are the best epoch's; finalReport() is that epoch's report and
// finalKernelReport() the kernel numbers of those parameters (measured at the end when that epoch had no
// NTK evaluation).
//
// The live window draws from a RunHistory, which may thin what it keeps; the record never does.
#include "run_driver.h"

#include <memory>
#include <optional>
#include <vector>

namespace ntk {

class RunRecord {
public:
    void start(const RunInfo& info);
    // `initialKernel`: the run's initial kernel, given with epoch 0's report when the caller has it.
    void add(const EpochReport& report, std::shared_ptr<const PackedSymmetricMatrix> initialKernel = {});
    void amend(const InitialTheory& theory); // epoch 0's theory, computed after it was reported
    void finish(const RunOutcome& outcome);

    bool hasInfo() const { return info_.has_value(); }
    const RunInfo& info() const { return *info_; }
    const RunConfig& config() const { return info_->config; }
    const std::vector<EpochReport>& epochs() const { return epochs_; }
    const std::optional<RunOutcome>& outcome() const { return outcome_; }
    bool ended() const { return outcome_.has_value(); }
    // Ended on its own: finished, early-stopped or diverged (not failed or cancelled).
    bool completed() const { return outcome_ && outcome_->failure.isEmpty() && !outcome_->cancelled; }
    const std::shared_ptr<const PackedSymmetricMatrix>& initialKernel() const { return initialKernel_; }

    const EpochReport* firstKernel() const;
    const EpochReport* lastKernel() const;
    // The final epoch's report (see above); before the end, the latest.
    const EpochReport* finalReport() const;
    // Kernel numbers of the final parameters; nullptr when the run has no kernel.
    const EpochReport* finalKernelReport() const;

    // Scenes keep many records: drop the n x n matrices they do not export.
    void dropMatrices();

private:
    std::optional<RunInfo> info_;
    std::vector<EpochReport> epochs_;
    std::shared_ptr<const PackedSymmetricMatrix> initialKernel_;
    std::optional<RunOutcome> outcome_;
};

// An observer that writes a RunRecord, and passes everything on to `next` (may be null), for example
// the command line's progress lines.
class RecordingObserver : public RunObserver {
public:
    explicit RecordingObserver(RunObserver* next = nullptr)
        : next_(next) {}
    void runStarted(const RunInfo& info) override;
    void epochReported(const EpochReport& report, const Trainer& trainer) override;
    void initialTheoryReady(const InitialTheory& theory) override;
    void runEnded(const RunOutcome& outcome) override;

    RunRecord record;

private:
    RunObserver* next_;
};

// driveRun with a RecordingObserver: the whole run as a record.
RunRecord recordRun(RunId id, const RunConfig& config, const RunControl& control = {},
                    RunObserver* also = nullptr);

} // namespace ntk
