// Sessions in the app, offscreen: a saved session opens in another window with the same numbers bit for
// bit (the live run and the re-run pinned reference), a broken session changes nothing, and after the
// real app is killed the next window offers its autosave back; after a clean exit it does not.
#include "control_panel.h"
#include "main_window.h"

#include <QMessageBox>
#include <QtTest>

#include <csignal>

using namespace ntk;

namespace {

RunConfig quickConfig() {
    RunConfig c;
    c.dataset = DatasetKind::Moons;
    c.trainSize = 40;
    c.testSize = 20;
    c.width = 16;
    c.learningRate = 0.3;
    c.epochs = 60;
    return c;
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Exactly equal, not approximately: a session promises the same numbers.
QString firstDifference(const RunHistory& a, const RunHistory& b) {
    if (a.reports().size() != b.reports().size())
        return QString("%1 vs %2 epochs").arg(a.reports().size()).arg(b.reports().size());
    for (std::size_t i = 0; i < a.reports().size(); ++i) {
        const EpochReport &x = a.reports()[i], &y = b.reports()[i];
        if (x.epoch != y.epoch || x.trainLoss != y.trainLoss || x.testLoss != y.testLoss ||
            x.hasKernel != y.hasKernel || x.kernel.lambdaMax != y.kernel.lambdaMax ||
            x.kernel.trace != y.kernel.trace)
            return QString("epoch %1 differs").arg(x.epoch);
    }
    if (a.spectra().size() != b.spectra().size())
        return "a different number of spectra";
    for (std::size_t i = 0; i < a.spectra().size(); ++i)
        if (a.spectra()[i].first != b.spectra()[i].first || a.spectra()[i].second != b.spectra()[i].second)
            return QString("the spectrum of epoch %1 differs").arg(a.spectra()[i].first);
    if (a.outcome().has_value() != b.outcome().has_value())
        return "one ended, the other did not";
    return {};
}

bool finished(MainWindow& window) {
    return window.history().outcome().has_value() &&
           window.history().runId() == window.liveRun().currentRunId();
}

} // namespace

class SessionWindowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void savedSessionOpensWithTheSameNumbers() {
        QTemporaryDir dir;
        const QString path = dir.filePath("session.json");
        MainWindow first(quickConfig(), false);
        first.show();
        QTRY_VERIFY_WITH_TIMEOUT(finished(first), 30000);
        QAction* pin = nullptr;
        for (QAction* action : first.findChildren<QAction*>())
            if (action->text().contains("Pin as"))
                pin = action;
        QVERIFY(pin);
        pin->trigger();
        RunConfig second = quickConfig();
        second.width = 12;
        second.seed = 5;
        second.l2 = 0.001;
        first.startRun(second);
        QTRY_VERIFY_WITH_TIMEOUT(finished(first) && first.history().info().config.width == 12, 30000);
        QVERIFY(!saveSessionFile(path, first.currentSession()));

        MainWindow other(quickConfig(), false);
        other.show();
        QVERIFY(other.openSessionFile(path));
        QTRY_VERIFY_WITH_TIMEOUT(finished(other) && other.history().info().config.width == 12 &&
                                     other.reference().outcome().has_value(),
                                 60000);
        QCOMPARE(other.controls()->config().seed, quint64(5));
        const QString live = firstDifference(first.history(), other.history());
        QVERIFY2(live.isEmpty(), qPrintable("live run: " + live));
        const QString pinned = firstDifference(first.reference(), other.reference());
        QVERIFY2(pinned.isEmpty(), qPrintable("pinned reference: " + pinned));
        QCOMPARE(other.reference().reports().size(), std::size_t(61));
        // Save -> load -> save: the same file.
        const QString again = dir.filePath("again.json");
        QVERIFY(!saveSessionFile(again, other.currentSession()));
        QCOMPARE(readAll(again), readAll(path));
    }

    void referencePinnedMidRunIsRebuiltUpToItsEpoch() {
        QTemporaryDir dir;
        Session session;
        session.config = quickConfig();
        PinnedReference pinned{quickConfig(), 25};
        pinned.config.width = 10;
        session.reference = pinned;
        const QString path = dir.filePath("s.json");
        QVERIFY(!saveSessionFile(path, session));
        MainWindow window(quickConfig(), false);
        QVERIFY(window.openSessionFile(path));
        QTRY_VERIFY_WITH_TIMEOUT(window.reference().hasRun() && window.reference().reports().size() == 26 &&
                                     window.liveRun().currentRunId() > 0 && finished(window),
                                 30000);
        QTest::qWait(300); // nothing past the pinned epoch arrives later
        QCOMPARE(window.reference().reports().size(), std::size_t(26));
        QCOMPARE(window.reference().reports().back().epoch, 25);
        QVERIFY(!window.reference().outcome());
    }

    void brokenSessionChangesNothing() {
        QTemporaryDir dir;
        const QString path = dir.filePath("broken.json");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            R"({"format": "ntkviz-session", "version": 1, "settings": {"width": 3}, "view": {"zoom": 1}})");
        file.close();
        MainWindow window(quickConfig(), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(finished(window), 30000);
        const RunId run = window.liveRun().currentRunId();
        const QByteArray before = sessionFileBytes(window.currentSession());
        QVERIFY(!window.openSessionFile(path));
        auto* dialog = window.findChild<QMessageBox*>("errorDialog");
        QVERIFY(dialog);
        QVERIFY2(dialog->text() == path + ": view: unknown key \"zoom\"", qPrintable(dialog->text()));
        QCOMPARE(window.liveRun().currentRunId(), run);
        QCOMPARE(window.controls()->config().width, 16);
        QCOMPARE(sessionFileBytes(window.currentSession()), before);
    }

    void killedAppIsOfferedBackAndCleanExitIsNot() {
        QTemporaryDir home;
        // The real app, with its own data and config folders, killed without warning mid-run.
        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_DATA_HOME", home.filePath("data"));
        env.insert("XDG_CONFIG_HOME", home.filePath("config"));
        app.setProcessEnvironment(env);
        app.start(NTKVIZ_GUI_PATH, {"--dataset", "moons", "--n", "30", "--test-n", "10", "--width", "12",
                                    "--seed", "77", "--epochs", "10000000"});
        QVERIFY(app.waitForStarted(30000));
        const QString recoveryDir = home.filePath("data/ntkviz/ntkviz");
        const QString autosave = QDir(recoveryDir).filePath(CrashRecovery::autosaveFileName);
        QTRY_VERIFY_WITH_TIMEOUT(readAll(autosave).contains("\"width\": 12"), 60000);
        ::kill(pid_t(app.processId()), SIGKILL);
        QVERIFY(app.waitForFinished(30000));
        QVERIFY(QFileInfo::exists(QDir(recoveryDir).filePath(CrashRecovery::lockFileName)));

        QString offered;
        {
            MainWindow window(quickConfig(), false);
            window.enableCrashRecovery(recoveryDir, [&](const QString& path) {
                offered = path;
                return true;
            });
            QCOMPARE(offered, autosave);
            QCOMPARE(window.controls()->config().width, 12);
            QCOMPARE(window.controls()->config().seed, quint64(77));
            QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun() && window.history().info().config.width == 12,
                                     30000);
            window.close(); // the clean exit
        }
        QVERIFY(!QFileInfo::exists(QDir(recoveryDir).filePath(CrashRecovery::lockFileName)));
        offered.clear();
        MainWindow next(quickConfig(), false);
        next.enableCrashRecovery(recoveryDir, [&](const QString& path) {
            offered = path;
            return true;
        });
        QVERIFY2(offered.isEmpty(), "offered a restore after a clean exit");
        QCOMPARE(next.controls()->config().width, 16);
    }

    void autosaveFollowsTheSetupAfterAPause() {
        QTemporaryDir dir;
        MainWindow window(quickConfig(), false);
        window.enableCrashRecovery(dir.path(), {});
        const QString autosave = dir.filePath(CrashRecovery::autosaveFileName);
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(autosave), 30000);
        RunConfig changed = quickConfig();
        changed.depth = 2;
        window.startRun(changed);
        QTRY_VERIFY_WITH_TIMEOUT(readAll(autosave).contains("\"depth\": 2"), 30000);
        QString error;
        const auto session = loadSessionFile(autosave, error);
        QVERIFY2(session, qPrintable(error));
        QCOMPARE(session->config.depth, 2);
        // A second window in the same folder while this one runs: neither offers nor overwrites.
        CrashRecovery other(dir.path());
        QVERIFY(!other.active());
        QVERIFY(!other.previousRunEndedUncleanly());
    }
};

QTEST_MAIN(SessionWindowTest)
#include "test_session_window.moc"
