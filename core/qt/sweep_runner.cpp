#include "sweep_runner.h"

#include "blas_threads.h"

#include "data_error.h"
#include "data_source_cache.h"

#include <QThread>
#include <mutex>
#include <thread>

namespace ntk {

const EpochReport* RunResult::firstKernel() const {
    for (const EpochReport& r : reports)
        if (r.hasKernel)
            return &r;
    return nullptr;
}

const EpochReport* RunResult::lastKernel() const {
    for (auto it = reports.rbegin(); it != reports.rend(); ++it)
        if (it->hasKernel)
            return &*it;
    return nullptr;
}

const EpochReport* RunResult::finalReport() const {
    if (reports.empty())
        return nullptr;
    if (state == RunState::EarlyStopped && config.restoreBest && bestEpoch >= 0)
        for (const EpochReport& r : reports)
            if (r.epoch == bestEpoch)
                return &r;
    return &reports.back();
}

const EpochReport* RunResult::finalKernel() const {
    const EpochReport* last = finalReport();
    if (!last)
        return nullptr;
    for (auto it = reports.rbegin(); it != reports.rend(); ++it)
        if (it->hasKernel && it->epoch <= last->epoch)
            return &*it;
    return nullptr;
}

RunResult runSceneRun(const SceneRun& run, int index, CancelFlag cancel) {
    RunResult result;
    result.index = index;
    result.label = run.label;
    result.config = run.config;
    result.sweepValue = run.sweepValue;
    result.seriesValue = run.seriesValue;
    result.seriesLabel = run.seriesLabel;
    try {
        Trainer trainer(run.config, prepare(*sharedDataSource(run.config), run.config));
        const RunInfo info = describeRun(0, run.config, trainer);
        result.trainSize = info.trainSize;
        result.outputs = info.outputs;
        result.analyticSpectrum = info.analyticSpectrum;
        while (auto report = trainer.advance(cancel))
            result.reports.push_back(std::move(*report));
        result.state = trainer.state();
        result.stopEpoch = trainer.stopEpoch();
        result.bestEpoch = trainer.bestEpoch();
        result.status = QString::fromStdString(trainer.statusText());
    } catch (const Cancelled&) {
        result.error = "cancelled";
    } catch (const DataError& e) {
        result.error = QString::fromStdString(e.what());
    } catch (const std::invalid_argument& e) {
        result.error = QString::fromStdString(e.what());
    } catch (const std::bad_alloc&) {
        result.error = "out of memory";
    }
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
    // One training per core already keeps the cores busy: more BLAS threads would only compete.
    if (threads > 1)
        setBlasThreads(1);
    std::vector<std::thread> pool;
    for (int t = 0; t < std::max(1, threads); ++t)
        pool.emplace_back(work);
    for (auto& thread : pool)
        thread.join();
    if (threads > 1)
        setBlasThreads(defaultBlasThreads());
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
    // As in runSceneRuns: parallel runs, one BLAS thread each (the live run sets its own when it starts).
    if (pool_.maxThreadCount() > 1 && scene.runs.size() > 1)
        setBlasThreads(1);
    for (int i = 0; i < int(scene.runs.size()); ++i) {
        pool_.start([this, state, run = scene.runs[i], i] {
            if (state->cancelled)
                return;
            RunResult result = runSceneRun(run, i, &state->cancelled);
            if (state->cancelled)
                return;
            const int done = ++state->done;
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
    if (state_)
        state_->cancelled = true;
    pool_.clear(); // runs not yet started never start
}

} // namespace ntk
