#include "sweep_runner.h"

#include "blas_thread_policy.h"
#include "run_driver.h"

#include <QThread>
#include <mutex>
#include <optional>
#include <thread>

namespace ntk {

QString RunResult::error() const {
    const auto& outcome = record.outcome();
    if (!outcome)
        return "not run";
    if (outcome->cancelled)
        return "cancelled";
    return outcome->failure;
}

QString RunResult::status() const {
    return record.outcome() ? record.outcome()->status : QString();
}

RunState RunResult::state() const {
    return record.outcome() ? record.outcome()->state : RunState::Running;
}

int RunResult::stopEpoch() const {
    return record.outcome() ? record.outcome()->stopEpoch : 0;
}

int RunResult::bestEpoch() const {
    return record.outcome() ? record.outcome()->bestEpoch : -1;
}

RunResult runSceneRun(const SceneRun& run, int index, CancelFlag cancel) {
    RunResult result;
    result.index = index;
    result.label = run.label;
    result.config = run.config;
    result.sweepValue = run.sweepValue;
    result.seriesValue = run.seriesValue;
    result.seriesLabel = run.seriesLabel;
    RunControl control;
    control.cancel = cancel;
    result.record = recordRun(RunId(index), run.config, control);
    result.record.dropMatrices(); // a scene compares numbers; dozens of n x n kernels would add up
    return result;
}

std::vector<RunResult> runSceneRuns(const std::vector<std::pair<int, SceneRun>>& runs, int threads,
                                    const std::function<void(const RunResult&, int done)>& finished) {
    std::vector<RunResult> results(runs.size());
    std::atomic<std::size_t> next{0};
    std::mutex reporting;
    int done = 0;
    auto work = [&] {
        for (std::size_t i = next++; i < runs.size(); i = next++) {
            results[i] = runSceneRun(runs[i].second, runs[i].first);
            std::lock_guard lock(reporting);
            ++done;
            if (finished)
                finished(results[i], done);
        }
    };
    std::optional<BlasThreadLease> blasThreads; // one training per core: one BLAS thread each
    if (threads > 1 && runs.size() > 1)
        blasThreads.emplace(BlasThreadLease::forSweep());
    std::vector<std::thread> pool;
    for (int t = 0; t < std::max(1, threads); ++t)
        pool.emplace_back(work);
    for (auto& thread : pool)
        thread.join();
    return results;
}

SweepRunner::SweepRunner(QObject* parent)
    : QObject(parent) {
    qRegisterMetaType<ntk::RunResult>();
    pool_.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
}

SweepRunner::~SweepRunner() {
    cancel();
    pool_.waitForDone();
}

quint64 SweepRunner::start(const Scene& scene) {
    cancel();
    auto state = std::make_shared<SweepState>();
    state->id = ++current_;
    state->total = int(scene.runs.size());
    state_ = state;
    // As in runSceneRuns: parallel runs, one BLAS thread each, for as long as the sweep runs.
    if (pool_.maxThreadCount() > 1 && scene.runs.size() > 1)
        state->blasThreads.emplace(BlasThreadLease::forSweep());
    for (int i = 0; i < int(scene.runs.size()); ++i) {
        pool_.start([this, state, run = scene.runs[i], i] {
            if (state->cancelled) {
                state->runEnded();
                return;
            }
            RunResult result = runSceneRun(run, i, &state->cancelled);
            if (state->cancelled) {
                state->runEnded();
                return;
            }
            const int done = ++state->done;
            state->runEnded();
            // Hand the result to this object's thread; the runner outlives its tasks (its destructor waits).
            inbox_.post([this, state, result = std::move(result), done] {
                if (state->cancelled || state->id != current_)
                    return;
                emit runFinished(state->id, result);
                emit progress(state->id, done, state->total);
                if (done == state->total)
                    emit sweepFinished(state->id);
            });
        });
    }
    return state->id;
}

void SweepRunner::cancel() {
    if (state_) {
        state_->cancelled = true;
        state_->releaseBlasThreads(); // runs still stopping do not hold the process at one thread
    }
    pool_.clear(); // runs not yet started never start
}

} // namespace ntk
