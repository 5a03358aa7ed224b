#include "training_worker.h"

#include "run_driver.h"

#include <QElapsedTimer>
#include <QMutexLocker>

namespace ntk {

TrainingWorker::TrainingWorker(QObject* parent)
    : QThread(parent) {
    registerLiveTypes();
}

TrainingWorker::~TrainingWorker() {
    {
        QMutexLocker lock(&mutex_);
        quit_ = true;
        abortRun_ = true;
        condition_.notify_one();
    }
    wait();
    // wait() has joined the thread, but ThreadSanitizer cannot see that: Qt runs its threads detached
    // and wait() blocks inside Qt's (uninstrumented) library. The thread's last access to our members
    // is under mutex_, so taking mutex_ once more states the same ordering in terms TSan understands.
    const QMutexLocker joined(&mutex_);
}

RunId TrainingWorker::start(const RunConfig& config) {
    QMutexLocker lock(&mutex_);
    pendingConfig_ = config;
    hasPending_ = true;
    stepsAllowed_ = 0;
    abortRun_ = true;
    const RunId id = currentRunId_.fetch_add(1) + 1;
    if (!isRunning())
        QThread::start(QThread::LowPriority);
    else
        condition_.notify_one();
    return id;
}

void TrainingWorker::cancel() {
    QMutexLocker lock(&mutex_);
    hasPending_ = false;
    abortRun_ = true;
    currentRunId_.fetch_add(1);
    condition_.notify_one();
}

void TrainingWorker::setPaused(bool paused) {
    QMutexLocker lock(&mutex_);
    paused_ = paused;
    stepsAllowed_ = 0;
    condition_.notify_one();
}

void TrainingWorker::step() {
    QMutexLocker lock(&mutex_);
    paused_ = true;
    ++stepsAllowed_;
    condition_.notify_one();
}

void TrainingWorker::run() {
    forever {
        RunConfig config;
        RunId id;
        {
            QMutexLocker lock(&mutex_);
            while (!hasPending_ && !quit_)
                condition_.wait(mutex_);
            if (quit_)
                return;
            config = pendingConfig_;
            id = currentRunId_.load();
            hasPending_ = false;
            abortRun_ = false;
        }
        execute(config, id);
    }
}

bool TrainingWorker::waitWhilePaused() {
    QMutexLocker lock(&mutex_);
    while (paused_ && stepsAllowed_ == 0 && !abortRun_ && !quit_)
        condition_.wait(mutex_);
    if (abortRun_ || quit_)
        return false;
    if (stepsAllowed_ > 0)
        --stepsAllowed_;
    return true;
}

// Batches the driver's reports for the GUI: every 15 ms, or at once for epoch 0 (the first frame after
// a change) and at the end; attaches kernel snapshots and prediction grids at most every 120 ms.
class TrainingWorker::LiveObserver : public RunObserver {
public:
    LiveObserver(TrainingWorker& worker, RunId id)
        : worker_(worker)
        , batch_{id, {}} {}

    void runStarted(const RunInfo& info) override { emit worker_.runStarted(info); }

    void epochReported(const EpochReport& report, const Trainer& trainer) override {
        const auto now = Clock::now();
        const bool first = report.epoch == 0;
        const bool snapshot =
            now - lastSnapshot_ >= snapshotInterval || trainer.done() || worker_.paused_.load() || first;
        if (snapshot)
            lastSnapshot_ = now;
        batch_.reports.push_back(makeLiveReport(trainer, EpochReport(report), snapshot));
        if (first || now - lastBatch_ >= batchInterval || trainer.done() || batch_.reports.size() >= 256)
            flush();
    }

    void initialTheoryReady(const InitialTheory& theory) override {
        flush();
        if (!worker_.abortRun_)
            emit worker_.initialTheoryReady(batch_.runId, theory);
    }

    void runEnded(const RunOutcome& outcome) override {
        flush();
        if (outcome.cancelled || worker_.abortRun_)
            return;
        if (!outcome.failure.isEmpty())
            emit worker_.runFailed(outcome.runId, outcome.failure);
        else
            emit worker_.runEnded(outcome);
    }

    // Sends what is batched (receivers copy what they keep).
    void flush() {
        if (!batch_.reports.empty() && !worker_.abortRun_)
            emit worker_.epochsReady(std::move(batch_));
        batch_.reports.clear();
        lastBatch_ = Clock::now();
    }

private:
    using Clock = std::chrono::steady_clock;
    TrainingWorker& worker_;
    LiveBatch batch_;
    Clock::time_point lastBatch_ = Clock::now();
    Clock::time_point lastSnapshot_{};
};

void TrainingWorker::execute(const RunConfig& config, RunId id) {
    LiveObserver observer(*this, id);
    QElapsedTimer pace;
    pace.start();
    int epochsSincePace = 0;
    RunControl control;
    control.cancel = &abortRun_;
    control.eigenfunctions = true; // the window's Eigenfunctions tab
    control.progress = &solveProgress_;
    control.beforeNextEpoch = [&] {
        if (const double rate = maxEpochsPerSecond_.load(); rate > 0.0) {
            ++epochsSincePace;
            const qint64 due = qint64(1000.0 * epochsSincePace / rate) - pace.elapsed();
            if (due > 0) {
                observer.flush();
                // Sleep in short slices so a new setting is picked up promptly.
                for (qint64 left = due; left > 0 && !abortRun_; left -= 20)
                    QThread::msleep(quint64(std::min<qint64>(left, 20)));
            }
        }
        if (paused_)
            observer.flush();
        return waitWhilePaused();
    };
    driveRun(id, config, observer, control);
}

} // namespace ntk
