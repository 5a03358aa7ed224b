#pragma once
// The one way a run is executed. The live window's worker, scene sweeps, headless figure export and
// `ntkviz-cli train` all call driveRun; nothing else drives a Trainer. It loads the data (through the
// shared data-source cache), builds the Trainer, advances it epoch by epoch, completes epoch 0's theory
// right after that epoch has been reported (so a window draws the first frame before the slow part),
// measures the kernel of the parameters the run ends with, and maps every error to one message.
#include "run_observer.h"
#include "solve_progress.h"

#include <functional>

namespace ntk {

struct RunControl {
    // Set from another thread to stop the run at its next checkpoint; the outcome is then `cancelled`.
    CancelFlag cancel = nullptr;
    // Called before every epoch after the first (pausing, pacing); returning false stops the run as
    // cancelled. Runs in the driver's thread.
    std::function<bool()> beforeNextEpoch;
    // The top eigenvectors as functions of the input (EpochReport::eigenfunctions), for the window's view
    // and figures of it. Off where nothing draws them (sweeps, `ntkviz-cli train`): they cost up to tens of
    // milliseconds per NTK epoch, more than the kernel itself on small runs.
    bool eigenfunctions = false;
    // Where the trainer says how far a long kernel solve has come (a window's progress bar); may be null.
    SolveProgress* progress = nullptr;
};

// Runs `config` to its end in the calling thread. Never throws: a run that cannot start or stops on an
// error ends with outcome.failure set; every outcome also reaches observer.runEnded.
RunOutcome driveRun(RunId id, const RunConfig& config, RunObserver& observer, const RunControl& control = {});

} // namespace ntk
