#include "training_worker.h"

#include "blas_threads.h"

#include "data_error.h"
#include "data_source_cache.h"

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

void TrainingWorker::execute(const RunConfig& config, RunId id) {
    using Clock = std::chrono::steady_clock;
    try {
        Trainer trainer(config, prepare(*sharedDataSource(config), config));
        if (abortRun_)
            return;
        const PreparedData& data = trainer.data();
        setBlasThreads(preferredBlasThreads(config, int(data.train.size()), int(data.train.dimension()),
                                            int(trainer.trainTargets().cols())));
        emit runStarted(describeRun(id, config, trainer));
        LiveBatch batch{id, {}};
        auto lastBatch = Clock::now();
        auto lastSnapshot = Clock::time_point{};
        const auto flush = [&] {
            if (!batch.reports.empty() && !abortRun_) {
                emit epochsReady(std::move(batch)); // receivers copy what they keep
                batch.reports.clear();
            }
            lastBatch = Clock::now();
        };
        QElapsedTimer pace;
        pace.start();
        int epochsSincePace = 0;
        while (!trainer.done()) {
            // Epoch 0 is always shown, even when paused, so a new setting shows its initial spectrum.
            if (trainer.epoch() > 0) {
                if (paused_)
                    flush();
                if (!waitWhilePaused())
                    return;
            }
            auto report = trainer.advance(&abortRun_);
            if (abortRun_)
                return;
            if (report) {
                const auto now = Clock::now();
                const bool snapshot =
                    now - lastSnapshot >= snapshotInterval || trainer.done() || paused_ || report->epoch == 0;
                if (snapshot)
                    lastSnapshot = now;
                batch.reports.push_back(makeLiveReport(trainer, std::move(*report), snapshot));
            }
            if (Clock::now() - lastBatch >= batchInterval || trainer.done() || batch.reports.size() >= 256)
                flush();
            if (const double rate = maxEpochsPerSecond_.load(); rate > 0.0) {
                ++epochsSincePace;
                const qint64 due = qint64(1000.0 * epochsSincePace / rate) - pace.elapsed();
                if (due > 0) {
                    flush();
                    // Sleep in short slices so a new setting is picked up promptly.
                    for (qint64 left = due; left > 0 && !abortRun_; left -= 20)
                        QThread::msleep(quint64(std::min<qint64>(left, 20)));
                }
            }
        }
        flush();
        if (!abortRun_)
            emit runEnded({id, trainer.state(), trainer.stopEpoch(), trainer.bestEpoch(),
                           QString::fromStdString(trainer.statusText())});
    } catch (const Cancelled&) {
    } catch (const DataError& e) {
        emit runFailed(id, QString::fromStdString(e.what()));
    } catch (const std::invalid_argument& e) {
        emit runFailed(id, QString::fromStdString(e.what()));
    } catch (const std::bad_alloc&) {
        emit runFailed(id, "out of memory: reduce n, width or depth");
    }
}

} // namespace ntk
