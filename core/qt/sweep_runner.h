#pragma once
// Runs the runs of a scene in the background, several at once (one per core), and hands each result up
// as soon as it is complete, so partial sweeps can be drawn. A new sweep or cancel() stops the old one
// at its next checkpoint; results of a cancelled sweep are never emitted.
#include "live_types.h"
#include "scene.h"
#include "thread_inbox.h"

#include <QObject>
#include <QThreadPool>
#include <atomic>
#include <functional>
#include <memory>

namespace ntk {

struct RunResult {
    int index = 0; // position in the scene's run list
    QString label;
    RunConfig config;
    double sweepValue = 0.0, seriesValue = 0.0;
    QString seriesLabel;
    std::vector<EpochReport> reports; // every epoch; eigenvalues on NTK epochs
    RunState state = RunState::Finished;
    int stopEpoch = 0, bestEpoch = -1;
    QString status;
    QString error; // non-empty when the run could not start
    int trainSize = 0, outputs = 0;
    Eigen::VectorXd analyticSpectrum; // infinite-width limit where available

    const EpochReport* firstKernel() const;
    const EpochReport* lastKernel() const;
    // The epoch whose parameters the run ends with: the best one of an early-stopped run that restores
    // it, else the last. finalKernel() is the last NTK epoch up to it.
    const EpochReport* finalReport() const;
    const EpochReport* finalKernel() const;
};

// Runs one scene run to its end in the calling thread. Never throws: failures go into `error`.
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
    };
    ThreadInbox inbox_; // declared before pool_ so it outlives the pool's tasks
    QThreadPool pool_;
    std::shared_ptr<SweepState> state_;
    std::atomic<quint64> current_{0};
};

} // namespace ntk

Q_DECLARE_METATYPE(ntk::RunResult)
