// The training thread: ordered finite reports, restart and cancel, pause and step, clean shutdown.
#include "run_history.h"
#include "thread_inbox.h"
#include "training_worker.h"

#include <QtTest>
#include <memory>
#include <thread>

using namespace ntk;

namespace {

RunConfig quickConfig(int epochs = 30) {
    RunConfig c;
    c.dataset = DatasetKind::Moons;
    c.trainSize = 48;
    c.testSize = 24;
    c.width = 16;
    c.learningRate = 0.3;
    c.epochs = epochs;
    c.ntkEvery = 1;
    return c;
}

std::vector<LiveReport> reportsOf(const QSignalSpy& spy, RunId id) {
    std::vector<LiveReport> out;
    for (const auto& args : spy) {
        const auto batch = args.at(0).value<LiveBatch>();
        if (batch.runId == id)
            out.insert(out.end(), batch.reports.begin(), batch.reports.end());
    }
    return out;
}

bool endedWith(const QSignalSpy& ended, RunId id) {
    for (const auto& args : ended)
        if (args.at(0).value<RunOutcome>().runId == id)
            return true;
    return false;
}

} // namespace

// The worker emits from its own thread, and QSignalSpy connects directly (Qt 6.4), so a spy on the
// worker itself would be appended to in that thread while the test reads it in this one: a data race.
// The relay lives in the main thread and takes the worker's signals through a ThreadInbox, as the app
// does, so the spies on it are filled by this thread's event loop (which QTRY_* and QSignalSpy::wait run)
// and are only ever touched here. Declare it before the worker so it outlives the worker's last emission.
class MainThreadRelay : public QObject {
    Q_OBJECT
public:
    void listenTo(TrainingWorker& worker) {
        connectThroughInbox(&worker, &TrainingWorker::runStarted, &inbox_,
                            [this](const RunInfo& info) { emit runStarted(info); });
        connectThroughInbox(&worker, &TrainingWorker::epochsReady, &inbox_,
                            [this](const LiveBatch& batch) { emit epochsReady(batch); });
        connectThroughInbox(&worker, &TrainingWorker::runEnded, &inbox_,
                            [this](const RunOutcome& outcome) { emit runEnded(outcome); });
        connectThroughInbox(&worker, &TrainingWorker::runFailed, &inbox_,
                            [this](RunId id, const QString& reason) { emit runFailed(id, reason); });
    }

signals:
    void runStarted(ntk::RunInfo info);
    void epochsReady(ntk::LiveBatch batch);
    void runEnded(ntk::RunOutcome outcome);
    void runFailed(ntk::RunId runId, QString reason);

private:
    ThreadInbox inbox_;
};

class WorkerTest : public QObject {
    Q_OBJECT
private slots:
    void reportsArriveInOrderWithFiniteValues() {
        MainThreadRelay relay;
        TrainingWorker worker;
        relay.listenTo(worker);
        QSignalSpy started(&relay, &MainThreadRelay::runStarted);
        QSignalSpy epochs(&relay, &MainThreadRelay::epochsReady);
        QSignalSpy ended(&relay, &MainThreadRelay::runEnded);
        const RunId id = worker.start(quickConfig());
        QTRY_VERIFY_WITH_TIMEOUT(endedWith(ended, id), 20000);
        QCOMPARE(started.size(), 1);
        QCOMPARE(started.at(0).at(0).value<RunInfo>().runId, id);
        const auto reports = reportsOf(epochs, id);
        QCOMPARE(int(reports.size()), 31);
        for (int i = 0; i < int(reports.size()); ++i) {
            const EpochReport& r = reports[i].epoch;
            QCOMPARE(r.epoch, i);
            QVERIFY(std::isfinite(r.trainLoss));
            QVERIFY(r.hasKernel);
            QVERIFY(r.eigenvalues.allFinite());
            QVERIFY(std::isfinite(r.kernel.trace) && std::isfinite(r.kernel.lambdaMax));
        }
        QVERIFY(reports.front().kernel &&
                reports.front().kernel->size() > 0);                         // epoch 0 always has a snapshot
        QVERIFY(reports.back().kernel && reports.back().kernel->size() > 0); // and so does the last
        QVERIFY(reports.back().grid.has_value());
        const auto outcome = ended.at(0).at(0).value<RunOutcome>();
        QVERIFY(outcome.state == RunState::Finished);
        QCOMPARE(outcome.stopEpoch, 30);
    }

    void restartLeavesOneLiveRunAndHistoryDropsStaleReports() {
        MainThreadRelay relay;
        TrainingWorker worker;
        relay.listenTo(worker);
        QSignalSpy started(&relay, &MainThreadRelay::runStarted);
        QSignalSpy epochs(&relay, &MainThreadRelay::epochsReady);
        QSignalSpy ended(&relay, &MainThreadRelay::runEnded);
        RunConfig slow = quickConfig(100000);
        slow.trainSize = 200;
        const RunId first = worker.start(slow);
        QTRY_VERIFY_WITH_TIMEOUT(!reportsOf(epochs, first).empty(), 20000);
        // A burst of setting changes: only the last may live.
        RunId last = first;
        for (int i = 0; i < 20; ++i) {
            RunConfig c = quickConfig(40);
            c.width = 8 + i;
            last = worker.start(c);
        }
        QCOMPARE(worker.currentRunId(), last);
        QTRY_VERIFY_WITH_TIMEOUT(endedWith(ended, last), 20000);
        QVERIFY(!endedWith(ended, first)); // the replaced long run never reports an end
        // Whatever was in flight for older runs is refused by the history a plot draws from.
        RunHistory history;
        for (const auto& args : started)
            if (args.at(0).value<RunInfo>().runId == last)
                history.reset(args.at(0).value<RunInfo>());
        QCOMPARE(history.runId(), last);
        int refused = 0, accepted = 0;
        for (const auto& args : epochs) {
            const auto batch = args.at(0).value<LiveBatch>();
            (history.append(batch) ? accepted : refused) += int(batch.reports.size());
        }
        QCOMPARE(accepted, 41);
        QVERIFY(refused > 0);
        QCOMPARE(int(history.reports().size()), 41);
        QVERIFY(history.reports().back().epoch == 40);
    }

    void pauseShowsEpochZeroThenStepsOneAtATime() {
        MainThreadRelay relay;
        TrainingWorker worker;
        relay.listenTo(worker);
        QSignalSpy epochs(&relay, &MainThreadRelay::epochsReady);
        worker.setPaused(true);
        const RunId id = worker.start(quickConfig());
        QTRY_COMPARE_WITH_TIMEOUT(int(reportsOf(epochs, id).size()), 1, 20000);
        QTest::qWait(200);
        QCOMPARE(int(reportsOf(epochs, id).size()), 1); // paused: nothing more
        worker.step();
        QTRY_COMPARE_WITH_TIMEOUT(int(reportsOf(epochs, id).size()), 2, 10000);
        worker.step();
        worker.step();
        QTRY_COMPARE_WITH_TIMEOUT(int(reportsOf(epochs, id).size()), 4, 10000);
        QTest::qWait(200);
        QCOMPARE(int(reportsOf(epochs, id).size()), 4);
        const auto reports = reportsOf(epochs, id);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(reports[i].epoch.epoch, i);
        worker.setPaused(false);
        QTRY_COMPARE_WITH_TIMEOUT(int(reportsOf(epochs, id).size()), 31, 20000);
    }

    void badDataReportsFailureNotCrash() {
        MainThreadRelay relay;
        TrainingWorker worker;
        relay.listenTo(worker);
        QSignalSpy failed(&relay, &MainThreadRelay::runFailed);
        RunConfig c = quickConfig();
        c.dataset = DatasetKind::Csv;
        c.dataPath = "/nonexistent/data.csv";
        const RunId id = worker.start(c);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QCOMPARE(failed.at(0).at(0).value<RunId>(), id);
        QVERIFY(failed.at(0).at(1).toString().contains("/nonexistent/data.csv"));
        // The worker is still usable.
        QSignalSpy ended(&relay, &MainThreadRelay::runEnded);
        const RunId next = worker.start(quickConfig(5));
        QTRY_VERIFY_WITH_TIMEOUT(endedWith(ended, next), 20000);
    }

    void divergenceEndsTheRunWithItsEpoch() {
        MainThreadRelay relay;
        TrainingWorker worker;
        relay.listenTo(worker);
        QSignalSpy ended(&relay, &MainThreadRelay::runEnded);
        QSignalSpy epochs(&relay, &MainThreadRelay::epochsReady);
        RunConfig c = quickConfig(500);
        c.loss = LossKind::Mse;
        c.learningRate = 1e5;
        const RunId id = worker.start(c);
        QTRY_VERIFY_WITH_TIMEOUT(endedWith(ended, id), 20000);
        const auto outcome = ended.last().at(0).value<RunOutcome>();
        QVERIFY(outcome.state == RunState::Diverged);
        QCOMPARE(outcome.status, QString("diverged at epoch %1").arg(outcome.stopEpoch));
        for (const auto& live : reportsOf(epochs, id))
            QVERIFY(std::isfinite(live.epoch.trainLoss) && live.epoch.eigenvalues.allFinite());
    }

    void inboxRunsPostsInOrderInItsOwnThread() {
        ThreadInbox inbox;
        std::vector<std::pair<int, int>> ran; // (poster, sequence), touched only in this thread
        bool allInThisThread = true;
        const int posters = 4, perPoster = 2000;
        std::vector<std::thread> threads;
        for (int p = 0; p < posters; ++p)
            threads.emplace_back([&, p] {
                for (int i = 0; i < perPoster; ++i)
                    inbox.post([&, p, i] {
                        allInThisThread = allInThisThread && QThread::currentThread() == thread();
                        ran.emplace_back(p, i);
                    });
            });
        for (auto& t : threads)
            t.join();
        QTRY_COMPARE(int(ran.size()), posters * perPoster);
        QVERIFY(allInThisThread);
        std::vector<int> next(posters, 0);
        for (const auto& [poster, sequence] : ran) {
            QCOMPARE(sequence, next[poster]); // each thread's posts run in the order it made them
            ++next[poster];
        }
    }

    void inboxDropsWhatIsQueuedWhenDestroyed() {
        auto ranAfterDestruction = std::make_shared<bool>(false);
        {
            ThreadInbox inbox;
            std::thread([&] { inbox.post([ranAfterDestruction] { *ranAfterDestruction = true; }); }).join();
        }
        QTest::qWait(50); // the wake-up was queued; it must find nothing to run
        QVERIFY(!*ranAfterDestruction);
    }

    void destroyingMidRunEndsPromptly() {
        QElapsedTimer clock;
        {
            MainThreadRelay relay;
            TrainingWorker worker;
            relay.listenTo(worker);
            QSignalSpy epochs(&relay, &MainThreadRelay::epochsReady);
            RunConfig c = quickConfig(1000000);
            c.trainSize = 600;
            c.width = 256;
            c.depth = 3;
            worker.start(c);
            QTRY_VERIFY_WITH_TIMEOUT(epochs.size() > 0, 20000);
            clock.start();
        }
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString("shutdown took %1 ms").arg(clock.elapsed())));
    }
};

QTEST_GUILESS_MAIN(WorkerTest)
#include "test_worker.moc"
