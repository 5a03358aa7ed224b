// Session files: what is saved reads back and saves again byte for byte, malformed files are refused with
// one line naming the file and the field, and a session's settings reproduce a run's numbers bit for bit.
#include "scene.h"
#include "session.h"
#include "settings_table.h"

#include <QtTest>

using namespace ntk;

namespace {

Session richSession() {
    Session session;
    session.config.dataset = DatasetKind::Moons;
    session.config.trainSize = 60;
    session.config.testSize = 20;
    session.config.width = 16;
    session.config.epochs = 30;
    session.config.l2 = 0.003;
    session.config.learningRate = 0.1 + 0.2; // 0.30000000000000004: the last digit must survive
    session.config.seed = 9007199254740991ull;
    PinnedReference pinned;
    pinned.config = session.config;
    pinned.config.width = 8;
    pinned.epochs = 17;
    session.reference = pinned;
    session.scene = QFileInfo(builtinScenePaths().value(0)).completeBaseName();
    session.view.presentationScale = 1.6;
    session.view.speedLimit = 20;
    return session;
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
}

// The file's bytes, less what measures time rather than the run: kernel_seconds, the last column of
// epochs.csv.
QByteArray numbersOf(const QString& path) {
    const QByteArray bytes = readAll(path);
    if (!path.endsWith("epochs.csv"))
        return bytes;
    QByteArray kept;
    for (const QByteArray& line : bytes.split('\n'))
        kept += line.left(line.lastIndexOf(',')) + '\n';
    return kept;
}

int runCli(const QStringList& arguments, QString* err = nullptr) {
    QProcess process;
    process.start(NTKVIZ_CLI_PATH, arguments);
    if (!process.waitForFinished(300000))
        return -1;
    if (err)
        *err = QString::fromUtf8(process.readAllStandardError());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

} // namespace

class SessionTest : public QObject {
    Q_OBJECT
private slots:
    void savedSessionReadsBackAndSavesIdentically() {
        QTemporaryDir dir;
        const Session session = richSession();
        QVERIFY(!session.scene.isEmpty());
        const QString first = dir.filePath("first.json"), second = dir.filePath("second.json");
        QVERIFY(!saveSessionFile(first, session));
        QString error;
        const auto loaded = loadSessionFile(first, error);
        QVERIFY2(loaded, qPrintable(error));
        QCOMPARE(configToJson(loaded->config), configToJson(session.config));
        QCOMPARE(loaded->config.learningRate, session.config.learningRate);
        QCOMPARE(loaded->config.seed, session.config.seed);
        QVERIFY(loaded->reference);
        QCOMPARE(configToJson(loaded->reference->config), configToJson(session.reference->config));
        QCOMPARE(loaded->reference->epochs, 17);
        QCOMPARE(loaded->scene, session.scene);
        QCOMPARE(loaded->view.presentationScale, 1.6);
        QCOMPARE(loaded->view.speedLimit, 20.0);
        QVERIFY(!saveSessionFile(second, *loaded));
        QCOMPARE(readAll(second), readAll(first));
    }

    // A session with the open lecture reads back as it was saved; one without is the version-1 file that
    // older versions of ntkviz open, and a version-1 file (written before lectures were saved) opens.
    void lectureIsKeptAndFilesWithoutOneStayVersionOne() {
        Session session = richSession();
        session.lecture = SessionLecture{"/lectures/my lecture.json", 4, "Width: the kernel stops moving"};
        QString error;
        const QByteArray bytes = sessionFileBytes(session);
        QVERIFY(bytes.contains("\"version\": 2,"));
        const auto parsed = parseSession(bytes, "s.json", error);
        QVERIFY2(parsed, qPrintable(error));
        QVERIFY(parsed->lecture);
        QCOMPARE(*parsed->lecture, *session.lecture);
        QVERIFY(bytes.contains("\"step\": 5")); // counted from 1 in the file, as the window shows it
        QCOMPARE(sessionFileBytes(*parsed), bytes);

        session.lecture.reset();
        const QByteArray withoutLecture = sessionFileBytes(session);
        QVERIFY(withoutLecture.contains("\"version\": 1,") && !withoutLecture.contains("lecture"));
        const auto older = parseSession(withoutLecture, "s.json", error);
        QVERIFY2(older && !older->lecture, qPrintable(error));
        const auto nullLecture =
            parseSession(R"({"format": "ntkviz-session", "version": 2, "settings": {}, "lecture": null})",
                         "s.json", error);
        QVERIFY2(nullLecture && !nullLecture->lecture, qPrintable(error));
    }

    void noReferenceAndNoSceneAreKept() {
        Session session;
        QString error;
        const auto parsed = parseSession(sessionFileBytes(session), "s.json", error);
        QVERIFY2(parsed, qPrintable(error));
        QVERIFY(!parsed->reference);
        QVERIFY(parsed->scene.isEmpty());
    }

    void malformedSessionIsRefusedWithOneLine_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const QByteArray settings = R"("settings": {"n": 10})";
        auto session = [&](const QByteArray& rest) {
            return R"({"format": "ntkviz-session", "version": 1, )" + settings + rest + "}";
        };
        QTest::newRow("truncated") << session("").chopped(5) << "s.json: offset";
        QTest::newRow("empty") << QByteArray() << "s.json: offset 0";
        QTest::newRow("array") << QByteArray("[]") << "s.json: expected a JSON object";
        QTest::newRow("no format") << QByteArray(R"({"version": 1, "settings": {}})")
                                   << "s.json: format: expected \"ntkviz-session\", got nothing";
        QTest::newRow("a config file")
            << configFileBytes(RunConfig{})
            << "s.json: format: expected \"ntkviz-session\", got \"ntkviz-config\" (a settings";
        QTest::newRow("no version") << QByteArray(R"({"format": "ntkviz-session", "settings": {}})")
                                    << "s.json: version: expected a positive integer, got nothing";
        QTest::newRow("future version") << QByteArray(R"({"format": "ntkviz-session", "version": 3, "x": 1})")
                                        << "s.json: version 3 is newer than this program understands (2)";
        QTest::newRow("fractional version")
            << QByteArray(R"({"format": "ntkviz-session", "version": 1.5, "settings": {}})")
            << "s.json: version: expected a positive integer, got 1.5";
        QTest::newRow("unknown key") << session(R"(, "pinned": null)") << "s.json: unknown key \"pinned\"";
        QTest::newRow("no settings") << QByteArray(R"({"format": "ntkviz-session", "version": 1})")
                                     << "s.json: settings: expected an object, got nothing";
        QTest::newRow("settings wrong type")
            << QByteArray(R"({"format": "ntkviz-session", "version": 1, "settings": {"width": "wide"}})")
            << "s.json: settings: width: expected an integer, got \"wide\"";
        QTest::newRow("settings out of range")
            << QByteArray(R"({"format": "ntkviz-session", "version": 1, "settings": {"width": 0}})")
            << "s.json: settings: width = 0";
        QTest::newRow("settings unknown key")
            << QByteArray(R"({"format": "ntkviz-session", "version": 1, "settings": {"widht": 3}})")
            << "s.json: settings: unknown key \"widht\"";
        QTest::newRow("reference not object")
            << session(R"(, "reference": 3)") << "s.json: reference: expected an object or null, got 3";
        QTest::newRow("reference without epochs") << session(R"(, "reference": {"settings": {}})")
                                                  << "s.json: reference: epochs: expected an integer from 0 "
                                                     "to 300 (the reference's epochs), got nothing";
        QTest::newRow("reference epochs beyond its run")
            << session(R"(, "reference": {"settings": {"epochs": 10}, "epochs": 11})")
            << "s.json: reference: epochs: expected an integer from 0 to 10";
        QTest::newRow("reference settings refused")
            << session(R"(, "reference": {"settings": {"depth": 9}, "epochs": 1})")
            << "s.json: reference: settings: depth = 9";
        QTest::newRow("reference unknown key")
            << session(R"(, "reference": {"settings": {}, "epochs": 1, "numbers": []})")
            << "s.json: reference: unknown key \"numbers\"";
        QTest::newRow("scene number")
            << session(R"(, "scene": 7)")
            << "s.json: scene: expected a scene name or file path on one line, got 7";
        QTest::newRow("scene with newline")
            << session(R"(, "scene": "a\nb")")
            << "s.json: scene: expected a scene name or file path on one line";
        QTest::newRow("view scale too large")
            << session(R"(, "view": {"presentation_scale": 40})")
            << "s.json: view: presentation_scale: expected a number from 0.7 to 3";
        QTest::newRow("view negative speed") << session(R"(, "view": {"speed_limit": -1})")
                                             << "s.json: view: speed_limit: expected a number from 0 to 1000";
        QTest::newRow("view unknown key")
            << session(R"(, "view": {"zoom": 2})") << "s.json: view: unknown key \"zoom\"";
        QTest::newRow("lecture not object")
            << session(R"(, "lecture": "x")") << "s.json: lecture: expected an object or null, got \"x\"";
        QTest::newRow("lecture without source") << session(R"(, "lecture": {"step": 1, "step_title": "a"})")
                                                << "s.json: lecture: source: expected a lecture name or file "
                                                   "path on one line, got nothing";
        QTest::newRow("lecture step 0")
            << session(R"(, "lecture": {"source": "l", "step": 0, "step_title": "a"})")
            << "s.json: lecture: step: expected an integer from 1 to 100000, got 0";
        QTest::newRow("lecture fractional step")
            << session(R"(, "lecture": {"source": "l", "step": 1.5, "step_title": "a"})")
            << "s.json: lecture: step: expected an integer from 1 to 100000, got 1.5";
        QTest::newRow("lecture title with newline")
            << session(R"(, "lecture": {"source": "l", "step": 1, "step_title": "a\nb"})")
            << "s.json: lecture: step_title: expected the step's title on one line";
        QTest::newRow("lecture unknown key")
            << session(R"(, "lecture": {"source": "l", "step": 1, "step_title": "a", "notes": true})")
            << "s.json: lecture: unknown key \"notes\"";
        QTest::newRow("settings key with newline")
            << QByteArray("{\"format\": \"ntkviz-session\", \"version\": 1, \"settings\": {\"wid\\nth\": 3}}")
            << "s.json: settings: unknown key";
        QTest::newRow("unknown key with newline")
            << session(", \"x\\ny\": 1") << "s.json: unknown key \"x y\"";
    }

    void malformedSessionIsRefusedWithOneLine() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QString error;
        const auto session = parseSession(bytes, "s.json", error);
        QVERIFY(!session);
        QVERIFY2(error.startsWith(expected), qPrintable(error));
        QVERIFY2(!error.contains('\n') && !error.contains('\r'), qPrintable(error));
    }

    void sessionNamingAMissingSceneIsRefused() {
        QTemporaryDir dir;
        Session session;
        session.scene = "no-such-scene";
        const QString path = dir.filePath("s.json");
        QVERIFY(!saveSessionFile(path, session));
        QString error;
        QVERIFY(!loadSessionFile(path, error));
        QVERIFY2(error.startsWith(path + ": scene: no-such-scene: no such scene"), qPrintable(error));
    }

    void unwritableFolderGivesAnErrorNamingThePath() {
        QTemporaryDir dir;
        const QString earlier = dir.filePath("kept.json");
        QVERIFY(!saveSessionFile(earlier, richSession()));
        const QByteArray before = readAll(earlier);
        // A path whose folder is a file: no one, not even root, can create it.
        const QString impossible = earlier + "/session.json";
        const auto error = saveSessionFile(impossible, Session{});
        QVERIFY(error);
        QVERIFY2(error->startsWith(impossible + ": "), qPrintable(*error));
        QCOMPARE(readAll(earlier), before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"kept.json"});
    }

    // The promise of a session: open it again and the numbers come out the same, bit for bit.
    void sessionReproducesTheRunBitForBit() {
        QTemporaryDir dir;
        Session session = richSession();
        session.scene.clear();
        session.config.eigenvectors = true; // also the eigenvector files
        const QString saved = dir.filePath("saved.json"), resaved = dir.filePath("resaved.json");
        QVERIFY(!saveSessionFile(saved, session));
        QString error;
        const auto loaded = loadSessionFile(saved, error);
        QVERIFY2(loaded, qPrintable(error));
        QVERIFY(!saveSessionFile(resaved, *loaded));
        const QString first = dir.filePath("first"), second = dir.filePath("second");
        QString err;
        QVERIFY2(runCli({"train", "--session", saved, "--out", first, "--quiet"}, &err) == 0,
                 qPrintable(err));
        QVERIFY2(runCli({"train", "--session", resaved, "--out", second, "--quiet"}, &err) == 0,
                 qPrintable(err));
        const QStringList files = QDir(first).entryList(QDir::Files, QDir::Name);
        QCOMPARE(QDir(second).entryList(QDir::Files, QDir::Name), files);
        for (const char* name : {"epochs.csv", "spectra.csv", "config.json", "ntk_final.npy"})
            QVERIFY2(files.contains(name), name);
        for (const QString& name : files) {
            if (name == "summary.json")
                continue; // holds the wall-clock time
            QVERIFY2(numbersOf(first + "/" + name) == numbersOf(second + "/" + name), qPrintable(name));
        }
        // The run used the session's settings, not the defaults.
        QString configError;
        const auto config = loadConfigFile(first + "/config.json", configError);
        QVERIFY2(config, qPrintable(configError));
        QCOMPARE(configToJson(*config), configToJson(session.config));
    }

    void cliRefusesABrokenSessionAndSessionWithConfig() {
        QTemporaryDir dir;
        const QString broken = dir.filePath("broken.json");
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "ntkviz-session", "version": 1, "settings": {"width": 0}})");
        file.close();
        QString err;
        QCOMPARE(runCli({"train", "--session", broken, "--out", dir.filePath("out")}, &err), 2);
        QVERIFY2(err.startsWith("ntkviz-cli: " + broken + ": settings: width = 0"), qPrintable(err));
        QCOMPARE(err.count('\n'), 1);
        QVERIFY(!QFileInfo::exists(dir.filePath("out")));
        const QString good = dir.filePath("good.json");
        QVERIFY(!saveSessionFile(good, Session{}));
        QCOMPARE(runCli({"train", "--session", good, "--config", good}, &err), 2);
        QVERIFY2(err.contains("--session and --config cannot be combined"), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(SessionTest)
#include "test_session.moc"
