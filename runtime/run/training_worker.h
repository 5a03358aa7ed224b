#pragma once
// Runs the live window's run in its own thread (the pattern of Qt's Mandelbrot example: a waiting
// thread, restart on new parameters, atomic flags checked inside long loops). The run itself is
// executed by the run driver (run_driver.h); this class adds what only a live run needs: restart,
// pause, single steps, a speed limit, and batching of reports.
//
// Data flow is one way: start(config) goes down by value; RunInfo, LiveBatch, the initial theory and the
// RunOutcome come up by value through signals, each stamped with its run id. Receivers connect them
// through a ThreadInbox (thread_inbox.h), not queued connections. start() makes every earlier run stale
// at once: its flag stops its loops at the next checkpoint and the receiver drops anything it already
// sent.
#include "data_prep.h"
#include "live_types.h"
#include "solve_progress.h"

#include <QMutex>
#include <QThread>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>

namespace ntk {

class TrainingWorker : public QThread {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override; // cancels the run and joins the thread

    // Cancels the current run and starts `config` from a fresh seeded initialization. Returns its id.
    RunId start(const RunConfig& config);
    void cancel(); // the current run stops; nothing more is reported for it
    void setPaused(bool paused);
    void step(); // while paused: run exactly one more epoch
    bool isPaused() const { return paused_.load(); }
    RunId currentRunId() const { return currentRunId_.load(); }
    // How far the current NTK epoch's kernel solve has come (read from any thread).
    const SolveProgress& solveProgress() const { return solveProgress_; }
    // Caps training speed so a lecture audience can follow; 0 = as fast as possible.
    void setMaxEpochsPerSecond(double rate) { maxEpochsPerSecond_.store(rate); }

    // Minimum time between kernel snapshots and prediction grids sent to the GUI.
    static constexpr std::chrono::milliseconds snapshotInterval{120};
    static constexpr std::chrono::milliseconds batchInterval{15};

signals:
    void runStarted(ntk::RunInfo info);
    void epochsReady(ntk::LiveBatch batch);
    // Epoch 0's theory, computed after epoch 0 was sent (see Trainer::completeTheory).
    void initialTheoryReady(ntk::RunId runId, ntk::InitialTheory theory);
    void runEnded(ntk::RunOutcome outcome);           // finished, early-stopped, diverged or solver failure
    void runFailed(ntk::RunId runId, QString reason); // could not start, or stopped on an error

protected:
    void run() override;

private:
    class LiveObserver;
    void execute(const RunConfig& config, RunId id);
    bool waitWhilePaused(); // false when the run was replaced or the thread is quitting

    SolveProgress solveProgress_;
    QMutex mutex_;
    // Not QWaitCondition: that unlocks and relocks mutex_ inside Qt's library, where ThreadSanitizer
    // cannot see it (Debian's Qt is not built with TSan). condition_variable_any goes through QMutex's
    // inline lock()/unlock(), which carry TSan annotations, and waits on pthread primitives TSan knows.
    std::condition_variable_any condition_;
    RunConfig pendingConfig_;
    bool hasPending_ = false;
    bool quit_ = false;
    int stepsAllowed_ = 0;
    std::atomic<bool> abortRun_{false};
    std::atomic<bool> paused_{false};
    std::atomic<RunId> currentRunId_{0};
    std::atomic<double> maxEpochsPerSecond_{0.0};
};

} // namespace ntk
