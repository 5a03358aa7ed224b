#pragma once
// Runs the runs of a scene in the background, several at once (one per core), and hands each result up
// as soon as it is complete, so partial sweeps can be drawn. A new sweep or cancel() stops the old one
// at its next checkpoint; results of a cancelled sweep are never emitted.
#include "blas_thread_policy.h"
#include "run_record.h"
#include "scene.h"
#include "thread_inbox.h"

#include <QObject>
#include <QThreadPool>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace ntk {

// One run of a scene: which run it is, and its record (run_record.h) without the n x n matrices.
struct RunResult {
    int index = 0; // position in the scene's run list
    QString label;
    RunConfig config;
    double sweepValue = 0.0, seriesValue = 0.0;
    QString seriesLabel;
    RunRecord record;

    const std::vector<EpochReport>& reports() const { return record.epochs(); }
    // Empty for a run that ended on its own; else why it did not ("cancelled", or the failure).
    QString error() const;
    QString status() const;
    RunState state() const;
    int stopEpoch() const;
    int bestEpoch() const;
    int trainSize() const { return record.hasInfo() ? record.info().trainSize : 0; }
    int outputs() const { return record.hasInfo() ? record.info().outputs : 0; }
    const RunInfo* info() const { return record.hasInfo() ? &record.info() : nullptr; }

    const EpochReport* firstKernel() const { return record.firstKernel(); }
    // "Final" as everywhere (run_record.h): the parameters the run ends with, and their kernel.
    const EpochReport* finalReport() const { return record.finalReport(); }
    const EpochReport* finalKernel() const { return record.finalKernelReport(); }
};

// Runs one scene run to its end in the calling thread (through the run driver). Never throws: failures
// end up in error().
RunResult runSceneRun(const SceneRun& run, int index, CancelFlag cancel = nullptr);

// Runs the given (index, run) pairs on `threads` threads and returns their results in the same order.
// `finished` is called (from the worker threads, serialized) after each run.
std::vector<RunResult> runSceneRuns(const std::vector<std::pair<int, SceneRun>>& runs, int threads,
                                    const std::function<void(const RunResult&, int done)>& finished = {});

class SweepRunner : public QObject {
    Q_OBJECT
public:
    explicit SweepRunner(QObject* parent = nullptr);
    ~SweepRunner() override; // cancels and waits for the running runs

    quint64 start(const Scene& scene);
    void cancel();
    quint64 currentSweep() const { return current_.load(); }
    int threadCount() const { return pool_.maxThreadCount(); }

signals:
    void runFinished(quint64 sweepId, ntk::RunResult result);
    void progress(quint64 sweepId, int done, int total);
    void sweepFinished(quint64 sweepId);

private:
    struct SweepState {
        quint64 id = 0;
        int total = 0;
        std::atomic<bool> cancelled{false};
        std::atomic<int> done{0};
        std::atomic<int> ended{0}; // runs finished, failed or skipped
        std::mutex leaseMutex;
        std::optional<BlasThreadLease> blasThreads; // held while the sweep's runs run
        void releaseBlasThreads() {
            const std::lock_guard lock(leaseMutex);
            blasThreads.reset();
        }
        void runEnded() {
            if (++ended == total)
                releaseBlasThreads();
        }
    };
    ThreadInbox inbox_; // declared before pool_ so it outlives the pool's tasks
    QThreadPool pool_;
    std::shared_ptr<SweepState> state_;
    std::atomic<quint64> current_{0};
};

} // namespace ntk

Q_DECLARE_METATYPE(ntk::RunResult)
