// Sessions in the app, offscreen: a saved session opens in another window with the same numbers bit for
// bit (the live run and the re-run pinned reference), a broken session changes nothing, and after the
// real app is killed the next window offers its autosave back; after a clean exit it does not.
#include "control_panel.h"
#include "lecture.h"
#include "lecture_banner.h"
#include "main_window.h"

#include <QMessageBox>
#include <QStatusBar>
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

QString writeLecture(const QTemporaryDir& dir, const QStringList& titles) {
    QJsonArray steps;
    int width = 8;
    for (const QString& title : titles)
        steps.append(QJsonObject{{"title", title}, {"settings", QJsonObject{{"width", width += 4}}}});
    const QByteArray bytes =
        QJsonDocument(QJsonObject{{"format", "ntkviz-lecture"},
                                  {"version", 1},
                                  {"title", "Session lecture"},
                                  {"settings", QJsonObject{{"dataset", "moons"}, {"n", 40}, {"test_n", 20}}},
                                  {"steps", steps}})
            .toJson();
    const QString path = dir.filePath("lecture.json");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
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

    // Saved mid-lecture, by hand or by the autosave: the session reopens the lecture at that step, its
    // title above the plots and its run going, and the clicker carries on from there.
    void sessionReopensTheLectureAtItsStep() {
        QTemporaryDir dir;
        const QString lecturePath = writeLecture(dir, {"One", "Two", "Three"});
        QString error;
        const auto lecture = loadLecture(lecturePath, error);
        QVERIFY2(lecture, qPrintable(error));
        const QString saved = dir.filePath("session.json");
        QString autosave;
        {
            // Gone before the others open: its PageDown would be a second application shortcut for the key.
            MainWindow first(quickConfig(), false);
            first.enableCrashRecovery(dir.filePath("recovery"), {});
            first.show();
            first.openLecture(*lecture);
            QVERIFY(first.lectureStepper().goNext());
            QTRY_VERIFY_WITH_TIMEOUT(first.history().hasRun() && first.history().info().config.width == 16,
                                     30000);
            autosave = first.crashRecovery()->autosavePath();
            QTRY_VERIFY_WITH_TIMEOUT(readAll(autosave).contains("\"step_title\": \"Two\""), 30000);
            QVERIFY(!saveSessionFile(saved, first.currentSession()));
            QVERIFY(first.currentSession().lecture.has_value());
            QCOMPARE(first.currentSession().lecture->source, QFileInfo(lecturePath).absoluteFilePath());
        }

        for (const QString& path : {saved, autosave}) {
            MainWindow other(quickConfig(), false);
            other.show();
            QVERIFY(other.openSessionFile(path));
            QVERIFY2(other.lectureStepper().active(), qPrintable(path));
            QCOMPARE(other.lectureStepper().index(), 1);
            QVERIFY(other.lectureBanner()->isVisible());
            QCOMPARE(other.lectureBanner()->titleText(), QString("Two"));
            QCOMPARE(other.lectureBanner()->counterText(), QString("step 2 / 3"));
            QTRY_VERIFY_WITH_TIMEOUT(other.history().hasRun() && other.history().info().config.width == 16 &&
                                         !other.history().reports().empty(),
                                     30000);
            QTest::keyClick(&other, Qt::Key_PageDown);
            QCOMPARE(other.lectureStepper().index(), 2);
            QTRY_VERIFY_WITH_TIMEOUT(other.history().hasRun() && other.history().info().config.width == 20,
                                     30000);
            // An older session, without a lecture, is the whole setup too: the lecture ends.
            Session plain;
            plain.config = quickConfig();
            const QString plainPath = dir.filePath("plain.json");
            QVERIFY(!saveSessionFile(plainPath, plain));
            QVERIFY(readAll(plainPath).contains("\"version\": 1,") &&
                    !readAll(plainPath).contains("lecture"));
            QVERIFY(other.openSessionFile(plainPath));
            QVERIFY(!other.lectureStepper().active() && !other.lectureBanner()->isVisible());
        }
        // A built-in lecture is stored by its name, so a session works on any machine with ntkviz.
        QCOMPARE(sessionLectureName(builtinLecturePaths().first()),
                 QFileInfo(builtinLecturePaths().first()).completeBaseName());
    }

    // The lecture file gone, or edited so that the saved step is another one: the rest of the session
    // opens, the lecture does not, and one line in the status bar says why. No dialog, no crash.
    void sessionWithAMissingOrChangedLectureOpensTheRest() {
        QTemporaryDir dir;
        const QString lecturePath = writeLecture(dir, {"One", "Two", "Three"});
        Session session;
        session.config = quickConfig();
        session.config.width = 12;
        session.view.presentationScale = 1.3;
        const QString path = dir.filePath("s.json");
        struct Case {
            QString source;
            int step;
            QString stepTitle;
            QString expected;
        };
        const QList<Case> cases{
            {dir.filePath("gone.json"), 1, "Two", "gone.json is not there any more"},
            {lecturePath, 1, "Renamed since",
             "has changed since the session was saved (its step 2 is no longer "
             "\"Renamed since\")"},
            {lecturePath, 7, "Seven", "its step 8 is no longer \"Seven\""},
            {"no-such-built-in-lecture", 0, "One", "no-such-built-in-lecture: no such lecture"},
        };
        for (const Case& c : cases) {
            session.lecture = SessionLecture{c.source, c.step, c.stepTitle};
            QVERIFY(!saveSessionFile(path, session));
            MainWindow window(quickConfig(), false);
            window.show();
            QString error;
            QVERIFY2(loadSessionFile(path, error), qPrintable(error));
            QVERIFY(window.openSessionFile(path));
            QVERIFY(!window.findChild<QMessageBox*>("errorDialog"));
            QVERIFY(!window.lectureStepper().active());
            QVERIFY(!window.lectureBanner()->isVisible());
            const QString message = window.statusBar()->currentMessage();
            QVERIFY2(message.startsWith("Opened the session without its lecture: ") &&
                         message.contains(c.expected) && !message.contains('\n'),
                     qPrintable(message));
            QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun() && window.history().info().config.width == 12,
                                     30000);
            QCOMPARE(window.currentSession().view.presentationScale, 1.3);
            QVERIFY(!window.currentSession().lecture);
        }
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
