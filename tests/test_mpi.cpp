// ntkviz-cli spectrum under `mpirun -np 2`: the two processes split the training points and give what one
// process gives (eigenvalues, exact trace, per-layer traces, class loadings, the SLQ density), rank 0
// alone writes, and what does not split is refused with one line.
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

namespace {

struct Result {
    int exitCode = -1;
    QString err;
};

Result run(const QString& program, const QStringList& arguments) {
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // mpirun refuses root without these (CI runs as root); one slot per process on a 2-core machine.
    env.insert("OMPI_ALLOW_RUN_AS_ROOT", "1");
    env.insert("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    process.setProcessEnvironment(env);
    process.start(program, arguments);
    if (!process.waitForFinished(300000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardError())};
}

Result mpirun(int processes, const QStringList& arguments) {
    return run(NTKVIZ_MPIRUN,
               QStringList{"--oversubscribe", "-np", QString::number(processes), NTKVIZ_CLI_PATH} +
                   arguments);
}

QStringList rows(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).trimmed().split('\n');
}

QJsonObject summary(const QString& dir) {
    QFile file(dir + "/summary.json");
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
}

// The largest difference between two CSV files' numeric columns `columns`, relative to `scale`.
double largestDifference(const QStringList& a, const QStringList& b, QList<int> columns, double scale) {
    if (a.size() != b.size() || a.isEmpty())
        return 1e300;
    double worst = 0.0;
    for (int i = 1; i < a.size(); ++i)
        for (int c : columns)
            worst = std::max(
                worst,
                std::abs(a[i].split(',').value(c).toDouble() - b[i].split(',').value(c).toDouble()) / scale);
    return worst;
}

} // namespace

class MpiTest : public QObject {
    Q_OBJECT
private slots:
    void twoProcessesGiveWhatOneGives() {
        const QStringList flags{"--n", "300", "--width", "16", "--depth", "2", "--top-k", "6", "--seed", "4"};
        QTemporaryDir dir;
        for (const QString method : {"lanczos", "slq"}) {
            const QString one = dir.filePath(method + "-1"), two = dir.filePath(method + "-2");
            const QStringList arguments =
                QStringList{"spectrum", "--method", method, "--per-layer", "--tolerance",
                            "1e-12",    "--probes", "4",    "--steps",     "24"} +
                flags;
            const Result single = run(NTKVIZ_CLI_PATH, arguments + QStringList{"--out", one});
            QVERIFY2(single.exitCode == 0, qPrintable(single.err));
            const Result split = mpirun(2, arguments + QStringList{"--out", two});
            QVERIFY2(split.exitCode == 0, qPrintable(split.err));
            QCOMPARE(split.err.count('\n'), 1); // rank 0 alone speaks
            QVERIFY2(split.err.contains("on 2 processes"), qPrintable(split.err));
            const QJsonObject s1 = summary(one), s2 = summary(two);
            QCOMPARE(s2["processes"].toInt(), 2);
            QCOMPARE(s1["processes"].toInt(), 1);
            const double trace = s1["exact_trace"].toDouble();
            QVERIFY(std::abs(s2["exact_trace"].toDouble() - trace) <= 1e-12 * trace);
            const double lambdaMax = s1["lambda_max"].toDouble();
            QVERIFY(std::abs(s2["lambda_max"].toDouble() - lambdaMax) <= 1e-10 * lambdaMax);
            if (method == "lanczos") {
                QVERIFY(largestDifference(rows(one + "/eigenvalues.csv"), rows(two + "/eigenvalues.csv"), {1},
                                          lambdaMax) <= 1e-10);
                QVERIFY(largestDifference(rows(one + "/class_loadings.csv").mid(1),
                                          rows(two + "/class_loadings.csv").mid(1),
                                          {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 1.0) <= 1e-8);
            } else {
                QVERIFY(largestDifference(rows(one + "/density.csv"), rows(two + "/density.csv"), {1}, 1.0) <=
                        1e-8);
            }
            QVERIFY(largestDifference(rows(one + "/per_layer.csv"), rows(two + "/per_layer.csv"), {1, 4},
                                      lambdaMax) <= 1e-10);
        }
    }

    void whatDoesNotSplitIsRefused() {
        QTemporaryDir dir;
        const Result dense = mpirun(2, {"spectrum", "--n", "100", "--top-k", "4", "--method", "dense"});
        QCOMPARE(dense.exitCode, 2);
        // Our one line comes first; mpirun adds its own banner about the exit code after it.
        QVERIFY2(dense.err.startsWith("ntkviz-cli: --method dense runs in one process"),
                 qPrintable(dense.err));
        QCOMPARE(dense.err.count("ntkviz-cli:"), 1);
        const Result train = mpirun(2, {"train", "--n", "50", "--epochs", "1", "--out", dir.filePath("t")});
        QCOMPARE(train.exitCode, 2);
        QVERIFY2(train.err.startsWith("ntkviz-cli: \"train\" runs in one process"), qPrintable(train.err));
        QVERIFY(!QFile::exists(dir.filePath("t")));
        const Result bad = mpirun(2, {"spectrum", "--width", "0"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.startsWith("ntkviz-cli: width = 0"), qPrintable(bad.err));
    }
};

QTEST_GUILESS_MAIN(MpiTest)
#include "test_mpi.moc"
