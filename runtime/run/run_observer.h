#pragma once
// What a run tells whoever watches it, in order: started once (the data are ready), then one report per
// epoch, the initial kernel's theory once it is computed (it amends epoch 0's report, see
// Trainer::completeTheory), and ended exactly once, whether the run finished, failed or was cancelled.
// The run driver is the only caller; the run record, the live window's worker and the command line's
// progress lines are the observers.
#include "live_types.h"

namespace ntk {

class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void runStarted(const RunInfo& info) = 0;
    // `trainer` is the run's trainer right after the epoch: for snapshots (kernel, prediction grid).
    virtual void epochReported(const EpochReport& report, const Trainer& trainer) = 0;
    virtual void initialTheoryReady(const InitialTheory& theory) = 0;
    virtual void runEnded(const RunOutcome& outcome) = 0;
};

} // namespace ntk
