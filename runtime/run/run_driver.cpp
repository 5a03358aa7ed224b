#include "run_driver.h"

#include "blas_thread_policy.h"
#include "data_source_cache.h"
#include "run_failure.h"

#include <chrono>

namespace ntk {
namespace {

RunOutcome endedOutcome(RunId id, const Trainer& trainer, double seconds, CancelFlag cancel) {
    RunOutcome outcome;
    outcome.runId = id;
    outcome.state = trainer.state();
    outcome.stopEpoch = trainer.stopEpoch();
    outcome.bestEpoch = trainer.bestEpoch();
    outcome.finalEpoch = trainer.finalEpoch();
    outcome.status = QString::fromStdString(trainer.statusText());
    outcome.finalModel = std::make_shared<const Mlp>(trainer.model());
    if (trainer.config().ntkEvery > 0) {
        if (trainer.latestKernelEpoch() == outcome.finalEpoch) {
            outcome.finalKernel = trainer.sharedLatestKernel(); // built from these very parameters
        } else {
            // The run ends with parameters whose kernel was not measured (restored best epoch between NTK
            // epochs, or the last finite parameters of a diverged run): measure it, so "final" is exact.
            MeasuredKernel measured = trainer.measureCurrentKernel(cancel);
            if (measured.ok()) {
                outcome.finalKernel = measured.matrix;
                EpochReport report;
                report.epoch = outcome.finalEpoch;
                report.hasKernel = true;
                report.kernel = std::move(measured.summary);
                report.eigenvalues = std::move(measured.eigenvalues);
                outcome.measuredFinalKernel = std::move(report);
            }
        }
    }
    outcome.seconds = seconds;
    return outcome;
}

} // namespace

RunOutcome driveRun(RunId id, const RunConfig& config, RunObserver& observer, const RunControl& control) {
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    RunOutcome outcome;
    outcome.runId = id;
    try {
        Trainer trainer(config, prepare(*sharedDataSource(config), config));
        trainer.setEigenfunctions(control.eigenfunctions);
        trainer.setProgress(control.progress);
        throwIfCancelled(control.cancel);
        const PreparedData& data = trainer.data();
        const BlasThreadLease blasThreads = BlasThreadLease::forRun(
            config, int(data.train.size()), int(data.train.dimension()), int(trainer.trainTargets().cols()));
        observer.runStarted(describeRun(id, config, trainer));
        while (!trainer.done()) {
            if (trainer.epoch() > 0 && control.beforeNextEpoch && !control.beforeNextEpoch())
                throw Cancelled();
            if (auto report = trainer.advance(control.cancel))
                observer.epochReported(*report, trainer);
            // Epoch 0 has been reported (and drawn, in a window): now the slow part of its theory.
            if (trainer.theoryPending())
                if (auto theory = trainer.completeTheory(control.cancel))
                    observer.initialTheoryReady(*theory);
        }
        outcome = endedOutcome(id, trainer, elapsed(), control.cancel);
    } catch (...) {
        outcome = RunOutcome{};
        outcome.runId = id;
        outcome.seconds = elapsed();
        if (auto message = failureMessage(std::current_exception())) {
            outcome.failure = *message;
            outcome.status = "failed: " + *message;
        } else {
            outcome.cancelled = true;
            outcome.status = "cancelled";
        }
    }
    observer.runEnded(outcome);
    return outcome;
}

} // namespace ntk
