// Bad input, end to end: every case of tests/data/bad/MANIFEST.tsv (written by scripts/make_bad_corpus.py)
// is run through ntkviz-cli, which must exit with the listed code and, on failure, print exactly one line
// naming the file, line or key, never crash, and leave a previous run's output directory untouched.
// The cases the CLI cannot reach (the CSV label column) are checked on the C++ API directly.
#include "csv_reader.h"
#include "data_error.h"

#include <QtTest>

#include <climits>
#include <functional>
#include <map>

using namespace ntk;

namespace {

const QString corpusDirectory = QStringLiteral(NTKVIZ_BAD_CORPUS_DIR);
// Manifest paths under this prefix are too large to commit; the test creates them.
const QString generatedPrefix = QStringLiteral("generated/");

struct ManifestCase {
    QString file; // for kind "flags": the arguments after `train`
    QString kind;
    int exitCode = 0;
    QString expected;
    QString description;
};

std::vector<ManifestCase> readManifest(QString& error) {
    QFile file(corpusDirectory + "/MANIFEST.tsv");
    if (!file.open(QIODevice::ReadOnly)) {
        error = file.fileName() + ": " + file.errorString();
        return {};
    }
    const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
    std::vector<ManifestCase> cases;
    for (qsizetype i = 1; i < lines.size(); ++i) { // line 0 is the header
        const QStringList fields = lines[i].split('\t');
        bool isNumber = false;
        const int exitCode = fields.value(2).toInt(&isNumber);
        if (fields.size() != 5 || !isNumber) {
            error = QString("MANIFEST.tsv:%1: expected 5 tab-separated fields with a numeric exit code")
                        .arg(i + 1);
            return {};
        }
        cases.push_back({fields[0], fields[1], exitCode, fields[3], fields[4]});
    }
    return cases;
}

// Every file below root, by relative path, with its bytes: what "unchanged" means for an output directory.
std::map<QString, QByteArray> directorySnapshot(const QString& root) {
    std::map<QString, QByteArray> snapshot;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        snapshot[QDir(root).relativeFilePath(path)] =
            file.open(QIODevice::ReadOnly) ? file.readAll() : "<unreadable>";
    }
    return snapshot;
}

bool writeSnapshot(const QString& root, const std::map<QString, QByteArray>& snapshot) {
    for (const auto& [name, bytes] : snapshot) {
        const QString path = root + "/" + name;
        QFile file(path);
        if (!QDir().mkpath(QFileInfo(path).path()) || !file.open(QIODevice::WriteOnly) ||
            file.write(bytes) != bytes.size())
            return false;
    }
    return true;
}

QString describeDifference(const std::map<QString, QByteArray>& before,
                           const std::map<QString, QByteArray>& after) {
    QStringList differences;
    for (const auto& [name, bytes] : before) {
        const auto found = after.find(name);
        if (found == after.end())
            differences << name + " was removed";
        else if (found->second != bytes)
            differences << name + " was changed";
    }
    for (const auto& entry : after)
        if (!before.count(entry.first))
            differences << entry.first + " appeared";
    return differences.join(", ");
}

struct CliResult {
    bool finished = false;
    bool crashed = false;
    int exitCode = -1;
    QString err;
};

CliResult runCli(const QStringList& arguments) {
    QProcess process;
    process.setWorkingDirectory(corpusDirectory); // relative paths in the manifest and in configs
    process.start(NTKVIZ_CLI_PATH, arguments);
    CliResult result;
    // A hang guard only, far above what any case needs; nothing here measures time.
    result.finished = process.waitForFinished(300000);
    if (!result.finished) {
        result.err = process.errorString() + "\n";
        process.kill();
        process.waitForFinished();
    }
    result.crashed = process.exitStatus() == QProcess::CrashExit;
    result.exitCode = process.exitCode();
    result.err += QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString dataErrorMessage(const std::function<void()>& load) {
    try {
        load();
    } catch (const DataError& error) {
        return QString::fromStdString(error.what());
    } catch (const std::exception& error) {
        return QStringLiteral("<not a DataError: %1>").arg(QString::fromStdString(error.what()));
    }
    return {};
}

} // namespace

Q_DECLARE_METATYPE(ManifestCase)

class BadInputTest : public QObject {
    Q_OBJECT

    QTemporaryDir generatedFiles_;
    QTemporaryDir scratch_;
    std::map<QString, QByteArray> previousRunSnapshot_;

    QString resolvedPath(const QString& manifestPath) const {
        if (manifestPath.startsWith(generatedPrefix))
            return generatedFiles_.filePath(manifestPath.mid(generatedPrefix.size()));
        return manifestPath;
    }

    // Small network and one epoch so that the valid controls finish at once; the flags under test come
    // last so that they override these and a trailing flag without its value stays at the very end.
    QStringList argumentsFor(const ManifestCase& c, const QString& outDir) const {
        QStringList arguments{"train", "--out", outDir, "--quiet"};
        const QStringList tiny{"--n", "2", "--width", "4", "--epochs", "1"};
        if (c.kind == "csv")
            arguments << "--dataset"
                      << "csv"
                      << "--data" << resolvedPath(c.file) << tiny << "--test-n"
                      << "0";
        else if (c.kind == "idx-images" || c.kind == "idx-labels")
            arguments << "--dataset"
                      << "fashion-mnist"
                      << "--data" << resolvedPath(c.file) << tiny << "--test-n"
                      << "2";
        else if (c.kind == "config")
            arguments << "--config" << resolvedPath(c.file);
        else if (c.kind == "session")
            arguments << "--session" << resolvedPath(c.file);
        else
            arguments << c.file.split(' ', Qt::SkipEmptyParts);
        return arguments;
    }

private slots:
    void initTestCase() {
        QVERIFY(generatedFiles_.isValid());
        QVERIFY(scratch_.isValid());
        // Sparse: the size is claimed, no blocks are written. The reader must refuse it by its size.
        QFile huge(generatedFiles_.filePath("huge_sparse.csv"));
        QVERIFY(huge.open(QIODevice::WriteOnly));
        QVERIFY2(huge.resize((qint64(1) << 30) + 1), qPrintable(huge.errorString()));
        huge.close();
        QFile hugeConfig(generatedFiles_.filePath("huge_config.json"));
        QVERIFY(hugeConfig.open(QIODevice::WriteOnly));
        QVERIFY2(hugeConfig.resize((qint64(1) << 20) + 1), qPrintable(hugeConfig.errorString()));
        hugeConfig.close();
        QFile longLine(generatedFiles_.filePath("long_line.csv"));
        QVERIFY(longLine.open(QIODevice::WriteOnly));
        longLine.write("x,label\n");
        longLine.write(QByteArray((1 << 20) + 1, '1'));
        longLine.write("\n");
        longLine.close();

        const QString previousRun = scratch_.filePath("previous-run");
        const CliResult run = runCli({"train", "--dataset", "xor", "--n", "8", "--test-n", "4", "--width",
                                      "4", "--epochs", "2", "--out", previousRun, "--quiet"});
        QVERIFY2(run.finished && !run.crashed && run.exitCode == 0, qPrintable(run.err));
        previousRunSnapshot_ = directorySnapshot(previousRun);
        QVERIFY(previousRunSnapshot_.count("config.json") && previousRunSnapshot_.count("ntk_final.npy"));
    }

    void manifestCoversEveryKind() {
        QString error;
        const std::vector<ManifestCase> cases = readManifest(error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(cases.size() >= 40);
        std::map<QString, int> perKind;
        for (const ManifestCase& c : cases) {
            ++perKind[c.kind];
            QVERIFY2(c.exitCode == 0 || !c.expected.isEmpty(), qPrintable(c.file + ": no expected text"));
        }
        for (const char* kind : {"csv", "idx-images", "idx-labels", "config", "session", "flags"})
            QVERIFY2(perKind[kind] > 0, kind);
        QCOMPARE(int(perKind.size()), 6);
    }

    void cliHandlesManifestCase_data() {
        QTest::addColumn<ManifestCase>("testCase");
        QString error;
        const std::vector<ManifestCase> cases = readManifest(error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const ManifestCase& c : cases)
            QTest::newRow(qPrintable(c.kind + ": " + c.file)) << c;
    }

    void cliHandlesManifestCase() {
        QFETCH(ManifestCase, testCase);
        const bool shouldFail = testCase.exitCode != 0;
        // A failing run is pointed at a copy of a previous run's output, which must stay as it was; a
        // valid control at an empty directory. Each case gets its own, so one failure cannot cascade.
        QTemporaryDir outDir;
        QVERIFY(outDir.isValid());
        if (shouldFail)
            QVERIFY(writeSnapshot(outDir.path(), previousRunSnapshot_));
        const QStringList arguments = argumentsFor(testCase, outDir.path());
        const CliResult r = runCli(arguments);
        const QString context = QString("\n  case: %1 (%2)\n  command: ntkviz-cli %3\n  stderr: %4")
                                    .arg(testCase.file, testCase.description, arguments.join(' '), r.err);

        QVERIFY2(r.finished, qPrintable("did not finish" + context));
        QVERIFY2(!r.crashed, qPrintable("crashed" + context));
        QVERIFY2(r.exitCode == testCase.exitCode,
                 qPrintable(QString("exit code %1, expected %2").arg(r.exitCode).arg(testCase.exitCode) +
                            context));
        if (shouldFail) {
            QVERIFY2(r.err.endsWith('\n') && r.err.count('\n') == 1,
                     qPrintable("not exactly one line" + context));
            QVERIFY2(r.err.startsWith("ntkviz-cli: "), qPrintable("no program prefix" + context));
            QVERIFY2(r.err.contains(testCase.expected),
                     qPrintable("expected \"" + testCase.expected + "\"" + context));
            const QString difference =
                describeDifference(previousRunSnapshot_, directorySnapshot(outDir.path()));
            QVERIFY2(difference.isEmpty(), qPrintable("previous output touched: " + difference + context));
        } else {
            QVERIFY2(r.err.isEmpty(), qPrintable("--quiet run printed to stderr" + context));
            QVERIFY2(QFile::exists(outDir.filePath("summary.json")), qPrintable("no summary.json" + context));
        }
    }

    // ntkviz-cli has no flag for the label column, so CsvOptions::labelColumn is only reachable from C++.
    void labelColumnOutOfRange_data() {
        QTest::addColumn<int>("labelColumn");
        QTest::addColumn<QString>("expected");
        QTest::newRow("one past the last")
            << 3 << "tiny.csv:1: label column 3 (0-based) is out of range: the file has 3 columns";
        QTest::newRow("far past the last") << INT_MAX << "label column 2147483647 (0-based) is out of range";
        QTest::newRow("below -1") << -2 << "tiny.csv:1: label column -2 (0-based) is out of range";
        QTest::newRow("most negative") << INT_MIN << "label column -2147483648 (0-based) is out of range";
    }

    void labelColumnOutOfRange() {
        QFETCH(int, labelColumn);
        QFETCH(QString, expected);
        CsvOptions options;
        options.labelColumn = labelColumn;
        const QString message =
            dataErrorMessage([&] { loadCsv((corpusDirectory + "/tiny.csv").toStdString(), options); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY(!message.contains('\n'));
    }

    void labelColumnInRangeIsUsed() {
        CsvOptions options;
        options.labelColumn = 0; // x: fractional, so the file becomes a regression set on column 0
        const Dataset data = loadCsv((corpusDirectory + "/tiny.csv").toStdString(), options);
        QCOMPARE(data.task, TaskKind::Regression);
        QCOMPARE(data.dimension(), Eigen::Index(2));
        QCOMPARE(data.values[0], 0.1);
        QCOMPARE(data.features(0, 1), 0.0); // the former label column is now a feature
    }

    void explicitClassificationRefusesFractionalLabels() {
        CsvOptions options;
        options.task = CsvOptions::Task::Classification;
        const QString message = dataErrorMessage(
            [&] { loadCsv((corpusDirectory + "/fractional_labels.csv").toStdString(), options); });
        QVERIFY2(message.contains("fractional_labels.csv:2: column 3: label \"0.5\" is not a class index"),
                 qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(BadInputTest)
#include "test_bad_input.moc"
