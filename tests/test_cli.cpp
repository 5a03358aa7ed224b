// ntkviz-cli end to end: files written, .npy arrays parse with the right shapes, bad input exits 2.
#include "npy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace ntk;

namespace {

struct Result {
    int exitCode = -1;
    QString out, err;
};

Result runCli(const QStringList& arguments) {
    QProcess process;
    process.start(NTKVIZ_CLI_PATH, arguments);
    if (!process.waitForFinished(120000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

NpyArray readNpy(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw std::runtime_error(("cannot open " + path).toStdString());
    const QByteArray bytes = file.readAll();
    return decodeNpy(bytes.toStdString(), path.toStdString());
}

std::vector<std::size_t> shape(std::initializer_list<std::size_t> dims) {
    return dims;
}

QStringList csvRows(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).trimmed().split('\n');
}

QJsonObject jsonFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QByteArray fileBytes(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Writes a .npy file by numpy itself (an independent writer); false without numpy.
bool numpySave(const QString& path, const QString& expression) {
    QProcess python;
    python.start("/usr/bin/python3",
                 {"-c", "import numpy as np, sys; np.save(sys.argv[1], " + expression + ")", path});
    return python.waitForFinished(30000) && python.exitCode() == 0;
}

} // namespace

class CliTest : public QObject {
    Q_OBJECT
private slots:
    void trainWritesEveryFile() {
        QTemporaryDir dir;
        const Result r = runCli({"train", "--dataset", "blobs",    "--blob-classes", "4",  "--n",
                                 "40",    "--test-n",  "20",       "--width",        "16", "--depth",
                                 "2",     "--epochs",  "12",       "--ntk-every",    "5",  "--lr",
                                 "0.1",   "--out",     dir.path(), "--quiet"});
        QCOMPARE(r.exitCode, 0);
        const QDir out(dir.path());
        for (const char* name :
             {"config.json", "epochs.csv", "spectra.csv", "summary.json", "x_train.npy", "y_train.npy",
              "ntk_init.npy", "ntk_final.npy", "W1.npy", "b1.npy", "W3.npy", "b3.npy"})
            QVERIFY2(out.exists(name), name);
        QCOMPARE(readNpy(out.filePath("x_train.npy")).shape, shape({40, 2}));
        QCOMPARE(readNpy(out.filePath("y_train.npy")).descr, std::string("<i8"));
        QCOMPARE(readNpy(out.filePath("ntk_final.npy")).shape, shape({40, 40}));
        QCOMPARE(readNpy(out.filePath("W1.npy")).shape, shape({16, 2}));
        QCOMPARE(readNpy(out.filePath("W2.npy")).shape, shape({16, 16}));
        QCOMPARE(readNpy(out.filePath("W3.npy")).shape, shape({4, 16}));
        QCOMPARE(readNpy(out.filePath("b3.npy")).shape, shape({4}));
        const NpyArray kernel = readNpy(out.filePath("ntk_init.npy"));
        QVERIFY(kernel.data[1] == kernel.data[40]); // symmetric

        QFile epochs(out.filePath("epochs.csv"));
        QVERIFY(epochs.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(epochs.readAll()).trimmed().split('\n');
        QCOMPARE(lines.size(), 14); // header + epochs 0..12
        QVERIFY(lines[0].startsWith("epoch,train_loss,test_loss"));
        QVERIFY(lines[0].contains("trace,lambda_max,lambda_min"));
        QCOMPARE(lines[1].split(',').size(), lines[0].split(',').size());
        QVERIFY(!lines[1].split(',')[9].isEmpty()); // epoch 0 has the kernel
        QVERIFY(lines[2].split(',')[9].isEmpty());  // epoch 1 does not
        QFile spectra(out.filePath("spectra.csv"));
        QVERIFY(spectra.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(spectra.readAll()).trimmed().split('\n');
        QCOMPARE(rows.size(), 1 + 4); // epochs 0, 5, 10, 12
        QCOMPARE(rows[1].split(',').size(), 41);
    }

    void spectrumAtInitializationIsTrainsEpochZero() {
        // The network `spectrum` solves is the one `train` starts from: the same flags give the eigenvalues
        // of train's epoch 0, densely and by Lanczos on the matrix-free kernel.
        const QStringList flags{"--dataset", "circles", "--n",     "60", "--test-n", "10",
                                "--width",   "32",      "--depth", "2",  "--seed",   "7"};
        QTemporaryDir dir;
        QCOMPARE(runCli(QStringList{"train"} + flags +
                        QStringList{"--epochs", "1", "--out", dir.filePath("train"), "--quiet"})
                     .exitCode,
                 0);
        QFile spectra(dir.filePath("train/spectra.csv"));
        QVERIFY(spectra.open(QIODevice::ReadOnly));
        const QStringList epochZero = QString::fromUtf8(spectra.readAll()).split('\n').value(1).split(',');
        QCOMPARE(epochZero.value(0), QString("0"));
        for (const QString method : {"dense", "lanczos"}) {
            const QString out = dir.filePath(method);
            const Result r = runCli(QStringList{"spectrum"} + flags +
                                    QStringList{"--method", method, "--top-k", "6", "--out", out});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QFile eigenvalues(out + "/eigenvalues.csv");
            QVERIFY(eigenvalues.open(QIODevice::ReadOnly));
            const QStringList rows = QString::fromUtf8(eigenvalues.readAll()).trimmed().split('\n');
            QCOMPARE(rows.size(), 1 + 6);
            QCOMPARE(rows[0], QString("index,eigenvalue,residual"));
            for (int i = 1; i <= 6; ++i) {
                const QStringList row = rows[i].split(',');
                const double fromTrain = epochZero.value(i).toDouble();
                QVERIFY2(std::abs(row[1].toDouble() - fromTrain) <= 1e-9 * epochZero.value(1).toDouble(),
                         qPrintable(QString("%1 lambda_%2: %3 vs train's %4")
                                        .arg(method)
                                        .arg(i)
                                        .arg(row[1])
                                        .arg(fromTrain)));
                QVERIFY(row[2].toDouble() < 1e-6);
            }
            QFile summaryFile(out + "/summary.json");
            QVERIFY(summaryFile.open(QIODevice::ReadOnly));
            const QJsonObject summary = QJsonDocument::fromJson(summaryFile.readAll()).object();
            QCOMPARE(summary.value("method").toString(), method);
            QCOMPARE(summary.value("n").toInt(), 60);
            QVERIFY(summary.value("exact_trace").toDouble() > summary.value("lambda_max").toDouble());
            QVERIFY(summary.value("peak_resident_bytes").toDouble() > 0);
        }
        // The density: its trace estimate within four standard errors of the exact trace.
        const QString out = dir.filePath("slq");
        QCOMPARE(runCli(QStringList{"spectrum"} + flags +
                        QStringList{"--method", "slq", "--probes", "8", "--out", out})
                     .exitCode,
                 0);
        QFile summaryFile(out + "/summary.json");
        QVERIFY(summaryFile.open(QIODevice::ReadOnly));
        const QJsonObject summary = QJsonDocument::fromJson(summaryFile.readAll()).object();
        QVERIFY(
            std::abs(summary.value("trace_estimate").toDouble() - summary.value("exact_trace").toDouble()) <
            4 * summary.value("trace_standard_error").toDouble());
        QVERIFY(QFile::exists(out + "/density.csv"));
        QVERIFY(!QFile::exists(out + "/eigenvalues.csv"));
    }

    void eigenvectorsAddTheTargetsEnergyPerEigenvector() {
        QTemporaryDir dir;
        const Result r = runCli({"train", "--dataset", "moons", "--n", "20", "--test-n", "10", "--width", "8",
                                 "--epochs", "2", "--eigenvectors", "true", "--out", dir.path(), "--quiet"});
        QCOMPARE(r.exitCode, 0);
        QFile file(dir.filePath("target_energy.csv"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).trimmed().split('\n');
        QCOMPARE(lines.size(), 4); // header + epochs 0, 1, 2
        double total = 0.0;
        for (const QString& cell : lines[1].split(',').mid(1))
            total += cell.toDouble();
        QVERIFY2(std::abs(total - 1.0) < 1e-9, qPrintable(QString::number(total))); // a complete eigenbasis
    }

    void configFileIsReadAndFlagsOverrideIt() {
        QTemporaryDir dir;
        const QString configPath = dir.filePath("run.json");
        QFile file(configPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"dataset": "circles", "n": 30, "test_n": 10, "width": 8, "epochs": 3, "seed": 5})");
        file.close();
        const QString out = dir.filePath("out");
        const Result r = runCli({"train", "--config", configPath, "--epochs", "4", "--out", out, "--quiet"});
        QCOMPARE(r.exitCode, 0);
        QFile written(out + "/config.json");
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(written.readAll()).object();
        QCOMPARE(json["dataset"].toString(), QString("circles"));
        QCOMPARE(json["n"].toInt(), 30);
        QCOMPARE(json["epochs"].toInt(), 4);
        QCOMPARE(json["param"].toString(), QString("ntk"));
        QVERIFY(json.contains("sigma_w") && json.contains("l2") && json.contains("seed"));
        // Round trip: the written config reproduces the run.
        const Result again =
            runCli({"train", "--config", out + "/config.json", "--out", dir.filePath("again"), "--quiet"});
        QCOMPARE(again.exitCode, 0);
        QFile a(out + "/epochs.csv"), b(dir.filePath("again/epochs.csv"));
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        const auto withoutTiming = [](QByteArray csv) {
            QStringList lines;
            for (const QString& line : QString::fromUtf8(csv).split('\n'))
                lines << line.section(',', 0, -2); // the last column is wall time
            return lines;
        };
        QCOMPARE(withoutTiming(a.readAll()), withoutTiming(b.readAll()));
    }

    void badInputExitsTwoWithOneLine_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown flag") << QStringList{"train", "--bogus"} << "bogus";
        QTest::newRow("missing value") << QStringList{"train", "--width"} << "width";
        QTest::newRow("not a number") << QStringList{"train", "--width", "wide"} << "\"wide\"";
        QTest::newRow("out of range") << QStringList{"train", "--width", "0"} << "width = 0";
        QTest::newRow("unknown enum") << QStringList{"train", "--activation", "swish"} << "swish";
        QTest::newRow("missing csv") << QStringList{"train", "--dataset", "csv", "--data",
                                                    "/nonexistent/x.csv"}
                                     << "/nonexistent/x.csv";
        QTest::newRow("missing config")
            << QStringList{"train", "--config", "/nonexistent/c.json"} << "/nonexistent/c.json";
        QTest::newRow("n too large")
            << QStringList{"train", "--dataset", "csv", "--data", QString(NTKVIZ_TEST_DATA_DIR) + "/tiny.csv",
                           "--n",   "500"}
            << "tiny.csv: n = 500";
        QTest::newRow("unknown command") << QStringList{"fly"} << "unknown command \"fly\"";
        // User text with control characters is quoted as \xNN and cut to 40 bytes, so that the message
        // stays one line (fuzz_config found the first of these).
        QTest::newRow("newline in an enum value")
            << QStringList{"train", "--activation", "re\nlu"} << "--activation: unknown value \"re\\x0alu\"";
        QTest::newRow("newline in an integer")
            << QStringList{"train", "--width", "1\n2"} << "--width: \"1\\x0a2\" is not an integer";
        QTest::newRow("carriage return in a number")
            << QStringList{"train", "--lr", "0.\r1"} << "--lr: \"0.\\x0d1\" is not a finite number";
        QTest::newRow("tab in a boolean")
            << QStringList{"train", "--restore-best", "\ttrue x"} << "--restore-best: \"\\x09true x\"";
        QTest::newRow("escape and DEL in a seed")
            << QStringList{"train", "--seed", "\x1b[31m\x7f"} << "--seed: \"\\x1b[31m\\x7f\"";
        QTest::newRow("quote and backslash")
            << QStringList{"train", "--dataset", "a\"b\\c"} << "--dataset: unknown value \"a\\\"b\\\\c\"";
        QTest::newRow("long value is cut") << QStringList{"train", "--width", QString(5000, 'w')}
                                           << "\"" + QString(40, 'w') + "...\" is not";
        QTest::newRow("newline in a flag name") << QStringList{"train", "--bo\ngus"} << "bo\\x0agus";
        QTest::newRow("newline in an argument")
            << QStringList{"train", "extra\nargument"} << "unexpected argument \"extra\\x0aargument\"";
        QTest::newRow("newline in a command") << QStringList{"fl\ny"} << "unknown command \"fl\\x0ay\"";
        QTest::newRow("spectrum: k not below n")
            << QStringList{"spectrum", "--dataset", "moons", "--n", "20", "--top-k", "20"}
            << "--top-k 20 for n = 20";
        QTest::newRow("spectrum: unknown method") << QStringList{"spectrum", "--method", "qr"} << "\"qr\"";
        QTest::newRow("spectrum: one probe") << QStringList{"spectrum", "--probes", "1"} << "--probes 1";
        QTest::newRow("spectrum: bad tolerance")
            << QStringList{"spectrum", "--tolerance", "2"} << "--tolerance";
        QTest::newRow("negative hessian-every")
            << QStringList{"train", "--dataset", "moons", "--hessian-every", "-1"} << "hessian-every";
        QTest::newRow("newline in the config file name")
            << QStringList{"train", "--config", "/nonexistent/c\n.json"} << "/nonexistent/c\\x0a.json";
    }

    void badInputExitsTwoWithOneLine() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        const Result r = runCli(arguments);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("ntkviz-cli: ") && r.err.endsWith('\n') && r.err.count('\n') == 1 &&
                     !r.err.contains('\r'),
                 qPrintable("not one line: " + r.err));
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    }

    void badConfigFilesNameTheKey_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("truncated") << QByteArray(R"({"n": 3)") << "offset";
        QTest::newRow("wrong type") << QByteArray(R"({"width": "wide"})") << "width: expected an integer";
        QTest::newRow("unknown key") << QByteArray(R"({"widht": 3})") << "unknown key \"widht\"";
        QTest::newRow("newline in a key") << QByteArray(R"({"wid\nth": 3})") << R"(unknown key "wid\x0ath")";
        QTest::newRow("newline in a value")
            << QByteArray(R"({"activation": "re\nlu"})") << R"(activation: unknown value "re\x0alu")";
        QTest::newRow("raw control bytes in a key")
            << QByteArray("{\"activation\x01\n\": \"relu\"}") << R"(unknown key "activation\x01\x0a")";
        QTest::newRow("newline in a type error")
            << QByteArray(R"({"width": "1\n2"})") << R"(width: expected an integer, got "1\x0a2")";
        QTest::newRow("future version") << QByteArray(R"({"version": 99})") << "version 99";
        QTest::newRow("out of range") << QByteArray(R"({"depth": 0})") << "depth = 0";
        QTest::newRow("not an object") << QByteArray("[1, 2]") << "expected a JSON object";
    }

    void badConfigFilesNameTheKey() {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QFile file(dir.filePath("bad.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(json);
        file.close();
        const Result r = runCli({"train", "--config", file.fileName()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("bad.json") && r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(r.err.endsWith('\n') && r.err.count('\n') == 1 && !r.err.contains('\r'), qPrintable(r.err));
    }

    // A trained network's spectrum from its train --out directory (--weights): its config.json gives the
    // same points, so the eigenvalues are train's last epoch's; each layer's trace adds up to the whole,
    // and each top eigenvector's class shares add up to one.
    void spectrumOfTrainedWeights() {
        const QStringList flags{"--dataset", "blobs", "--blob-classes", "3", "--n",    "45", "--test-n", "9",
                                "--width",   "16",    "--depth",        "2", "--seed", "3"};
        QTemporaryDir dir;
        QCOMPARE(
            runCli(QStringList{"train"} + flags +
                   QStringList{"--epochs", "7", "--lr", "0.2", "--out", dir.filePath("train"), "--quiet"})
                .exitCode,
            0);
        const QStringList trained = csvRows(dir.filePath("train/spectra.csv"));
        const QStringList last = trained.last().split(',');
        QCOMPARE(last.value(0), QString("7"));
        for (const QString method : {"dense", "lanczos"}) {
            const QString out = dir.filePath(method);
            const Result r = runCli({"spectrum", "--weights", dir.filePath("train"), "--method", method,
                                     "--top-k", "5", "--per-layer", "--out", out});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            const QStringList rows = csvRows(out + "/eigenvalues.csv");
            QCOMPARE(rows.size(), 6);
            for (int i = 1; i <= 5; ++i)
                QVERIFY2(std::abs(rows[i].split(',')[1].toDouble() - last.value(i).toDouble()) <=
                             1e-9 * last.value(1).toDouble(),
                         qPrintable(QString("%1 lambda_%2: %3 vs train's %4")
                                        .arg(method)
                                        .arg(i)
                                        .arg(rows[i], last.value(i))));
            const QJsonObject summary = jsonFile(out + "/summary.json");
            QCOMPARE(summary["config"].toObject()["n"].toInt(), 45);
            QCOMPARE(summary["config"].toObject()["init_from"].toString(), dir.filePath("train"));
            // per_layer.csv: layers 0..2, five eigenvalues each; the traces add up to the exact trace.
            const QStringList layers = csvRows(out + "/per_layer.csv");
            QCOMPARE(layers.value(0), QString("layer,trace,trace_share,index,eigenvalue,residual"));
            QCOMPARE(layers.size(), 1 + 3 * 5);
            double traceSum = 0.0, shareSum = 0.0;
            for (int l = 0; l < 3; ++l) {
                const QStringList row = layers[1 + 5 * l].split(',');
                QCOMPARE(row[0].toInt(), l);
                traceSum += row[1].toDouble();
                shareSum += row[2].toDouble();
                // A layer's largest eigenvalue is at most the whole kernel's (each layer's kernel is PSD).
                QVERIFY(row[4].toDouble() <= rows[1].split(',')[1].toDouble() * (1 + 1e-12));
                QVERIFY(layers[5 * (l + 1)].split(',')[5].toDouble() < 1e-6);
            }
            const double exact = summary["exact_trace"].toDouble();
            QVERIFY2(std::abs(traceSum - exact) <= 1e-12 * exact,
                     qPrintable(QString("%1 vs %2").arg(traceSum).arg(exact)));
            QVERIFY(std::abs(shareSum - 1.0) < 1e-12);
            QCOMPARE(summary["layers"].toArray().size(), 3);
            // class_loadings.csv: the points' class shares, then one row per eigenvector summing to one.
            const QStringList loadings = csvRows(out + "/class_loadings.csv");
            QCOMPARE(loadings.value(0), QString("index,eigenvalue,class_0,class_1,class_2"));
            QCOMPARE(loadings.size(), 2 + 5);
            QCOMPARE(loadings[1].split(',').mid(2),
                     QStringList({"0.3333333333", "0.3333333333", "0.3333333333"}));
            for (int j = 2; j < loadings.size(); ++j) {
                double total = 0.0;
                for (const QString& cell : loadings[j].split(',').mid(2))
                    total += cell.toDouble();
                QVERIFY(std::abs(total - 1.0) < 1e-8);
            }
        }
    }

    // NumPy in: a run's output directory as --data (the layout it writes) reproduces its kernels byte for
    // byte, and --init-from starts a run from its parameters, where the first run ended.
    void numpyDataAndParametersGoBackIn() {
        const QStringList shape{"--width", "12", "--depth", "2", "--epochs", "4", "--lr", "0.3", "--quiet"};
        QTemporaryDir dir;
        QCOMPARE(runCli(QStringList{"train", "--dataset", "spirals", "--n", "40", "--test-n", "12", "--out",
                                    dir.filePath("a")} +
                        shape)
                     .exitCode,
                 0);
        // No --dataset: a directory with x_train.npy says what it is.
        const Result again = runCli(QStringList{"train", "--data", dir.filePath("a"), "--n", "40", "--test-n",
                                                "12", "--out", dir.filePath("b")} +
                                    shape);
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QCOMPARE(jsonFile(dir.filePath("b/config.json"))["dataset"].toString(), QString("npy"));
        for (const char* name : {"x_train.npy", "y_train.npy", "x_test.npy", "ntk_init.npy", "ntk_final.npy"})
            QVERIFY2(fileBytes(dir.filePath(QString("a/") + name)) ==
                             fileBytes(dir.filePath(QString("b/") + name)) &&
                         !fileBytes(dir.filePath(QString("a/") + name)).isEmpty(),
                     name);
        // --init-from: the second run's epoch 0 is the first run's last epoch.
        const Result resumed =
            runCli(QStringList{"train", "--data", dir.filePath("a"), "--n", "40", "--test-n", "12",
                               "--init-from", dir.filePath("a"), "--out", dir.filePath("c")} +
                   shape);
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        const QStringList ended = csvRows(dir.filePath("a/spectra.csv")).last().split(',');
        const QStringList started = csvRows(dir.filePath("c/spectra.csv")).value(1).split(',');
        QCOMPARE(started.value(0), QString("0"));
        QCOMPARE(started.mid(1), ended.mid(1));
    }

    // Arrays of one's own (written by numpy, float labels as values): read as given.
    void numpyArraysOfOnesOwn() {
        QTemporaryDir dir;
        if (!numpySave(dir.filePath("x_train.npy"), "np.linspace(-1, 1, 30).reshape(15, 2)") ||
            !numpySave(dir.filePath("y_train.npy"), "np.sin(np.arange(15.0))"))
            QSKIP("numpy is not installed (python3-numpy)");
        const Result r = runCli({"train", "--data", dir.path(), "--n", "15", "--test-n", "0", "--loss", "mse",
                                 "--width", "8", "--epochs", "2", "--out", dir.filePath("out"), "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const NpyArray x = readNpy(dir.filePath("out/x_train.npy"));
        QCOMPARE(x.shape, shape({15, 2}));
        QCOMPARE(x.data[1], -1.0 + 2.0 / 29.0); // as given: not standardized, not reordered
        QCOMPARE(readNpy(dir.filePath("out/y_train.npy")).descr, std::string("<f8"));
    }

    void badNumpyInputNamesTheFile() {
        QTemporaryDir dir;
        const QString d = dir.path();
        QCOMPARE(runCli({"train", "--dataset", "moons", "--n", "20", "--test-n", "5", "--width", "8",
                         "--epochs", "1", "--out", d + "/run", "--quiet"})
                     .exitCode,
                 0);
        QDir().mkpath(d + "/short");
        QDir().mkpath(d + "/nan");
        if (!numpySave(d + "/short/x_train.npy", "np.ones((5, 3))") ||
            !numpySave(d + "/short/y_train.npy", "np.zeros(4, dtype=np.int64)") ||
            !numpySave(d + "/nan/x_train.npy", "np.array([[1.0, np.nan]])") ||
            !numpySave(d + "/nan/y_train.npy", "np.zeros(1, dtype=np.int64)"))
            QSKIP("numpy is not installed (python3-numpy)");
        QFile::copy(d + "/run/W1.npy", d + "/run/W1.bak");
        QFile::remove(d + "/run/W2.npy");
        const QList<QPair<QStringList, QString>> cases{
            {{"train", "--data", d + "/short", "--n", "5"}, "y_train.npy: shape (4,): expected (5,)"},
            {{"train", "--data", d + "/nan", "--n", "1"}, "x_train.npy: value 1 (in C order) is not finite"},
            {{"train", "--dataset", "moons", "--n", "20", "--width", "9", "--init-from", d + "/run"},
             "W1.npy: shape (8, 2) but this network's layer 1 needs (9, 2)"},
            {{"spectrum", "--weights", d + "/run", "--top-k", "5"}, "W2.npy: no such file"},
            {{"spectrum", "--weights", d + "/nowhere"},
             "--weights: \"" + d + "/nowhere\" is not a directory"},
            {{"spectrum", "--weights", d + "/run", "--top-k", "5", "--dataset", "fashion-mnist", "--n",
              "70000"},
             "n = 70000 but only 60000"},
        };
        for (const auto& [arguments, expected] : cases) {
            const Result r = runCli(arguments);
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.count('\n') == 1 && r.err.contains(expected),
                     qPrintable(arguments.join(' ') + ": " + r.err));
        }
    }

    // A matrix-free run writes what it measured (top-k with residuals, densities, layer traces) and no
    // kernel matrix, and says so in summary.json.
    void matrixFreeRunWritesItsMeasurements() {
        QTemporaryDir dir;
        const Result r =
            runCli({"train", "--dataset",       "circles",     "--n",      "120", "--test-n",
                    "20",    "--width",         "16",          "--epochs", "4",   "--ntk-every",
                    "2",     "--kernel-solver", "matrix-free", "--top-k",  "5",   "--density-every",
                    "2",     "--out",           dir.path(),    "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QDir out(dir.path());
        QVERIFY(!out.exists("ntk_init.npy") && !out.exists("ntk_final.npy"));
        QVERIFY(jsonFile(out.filePath("summary.json"))["kernel_matrix_free"].toBool());
        const QStringList residuals = csvRows(out.filePath("spectrum_residuals.csv"));
        QCOMPARE(residuals.size(), 1 + 3); // epochs 0, 2, 4
        QCOMPARE(residuals[0], QString("epoch,residual_1,residual_2,residual_3,residual_4,residual_5"));
        const QStringList densities = csvRows(out.filePath("densities.csv"));
        QCOMPARE(densities.value(0), QString("epoch,log10_lambda,density,standard_error,at_or_above"));
        QSet<QString> epochs;
        for (const QString& row : densities.mid(1))
            epochs << row.section(',', 0, 0);
        QCOMPARE(epochs, QSet<QString>({"2", "4"})); // every 2nd NTK epoch of 0, 2, 4 (the 2nd) and the last
        const QStringList layers = csvRows(out.filePath("layer_traces.csv"));
        QCOMPARE(layers.size(), 1 + 3 * 2);
        const QStringList first = csvRows(out.filePath("epochs.csv")).value(1).split(',');
        QVERIFY(std::abs(layers[1].split(',')[2].toDouble() + layers[2].split(',')[2].toDouble() -
                         first[8].toDouble()) <= 1e-12 * first[8].toDouble());
        QVERIFY(first[12].isEmpty() && first[13].isEmpty()); // effective rank, Frobenius norm: not measured
    }

    // --hessian-every: the curvature columns of epochs.csv on every K-th epoch and the last. For MSE with
    // one output the Gauss-Newton matrix is J^T J / n, whose top eigenvalue is the NTK's lambda_max / n,
    // which the same rows hold: two solvers on two operators, one number.
    void curvatureEpochsWriteSharpness() {
        QTemporaryDir dir;
        const int n = 60;
        const Result r = runCli({"train",
                                 "--dataset",
                                 "sine",
                                 "--n",
                                 QString::number(n),
                                 "--test-n",
                                 "10",
                                 "--width",
                                 "24",
                                 "--loss",
                                 "mse",
                                 "--epochs",
                                 "7",
                                 "--lr",
                                 "0.05",
                                 "--hessian-every",
                                 "3",
                                 "--out",
                                 dir.path(),
                                 "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList rows = csvRows(QDir(dir.path()).filePath("epochs.csv"));
        const QStringList header = rows.value(0).split(',');
        const auto column = [&](const QString& name) { return int(header.indexOf(name)); };
        QVERIFY(column("sharpness") > 0 && column("hessian_lambda_min") > 0 && column("gn_lambda_max") > 0);
        QSet<QString> measured;
        for (const QString& row : rows.mid(1)) {
            const QStringList cells = row.split(',');
            if (cells.value(column("sharpness")).isEmpty())
                continue;
            measured << cells[0];
            const double sharpness = cells[column("sharpness")].toDouble();
            const double bottom = cells[column("hessian_lambda_min")].toDouble();
            const double gaussNewton = cells[column("gn_lambda_max")].toDouble();
            const double kernelTop = cells[column("lambda_max")].toDouble();
            QVERIFY(sharpness > 0 && bottom <= sharpness);
            QVERIFY2(
                std::abs(gaussNewton - kernelTop / n) <= 1e-6 * gaussNewton,
                qPrintable(
                    QString("epoch %1: G %2, NTK / n %3").arg(cells[0]).arg(gaussNewton).arg(kernelTop / n)));
            // The NTK's lambda_max in the Hessian's units is G's top here (mse, one output), found from
            // the kernel rather than from Gauss-Newton products; plain GD has no preconditioned sharpness.
            QVERIFY(std::abs(cells[column("ntk_sharpness")].toDouble() - gaussNewton) <= 1e-6 * gaussNewton);
            QVERIFY(cells.value(column("preconditioned_sharpness")).isEmpty());
        }
        QCOMPARE(measured, QSet<QString>({"0", "3", "6", "7"}));
    }

    // With Adam each curvature epoch after the first step also has lambda_max(P^-1 H); epoch 0 comes
    // before any step, so Adam has no preconditioner there yet.
    void adamCurvatureEpochsWriteThePreconditionedSharpness() {
        QTemporaryDir dir;
        const Result r =
            runCli({"train", "--dataset",   "moons",    "--n",    "40",   "--test-n", "0", "--width",
                    "16",    "--optimizer", "adam",     "--lr",   "0.01", "--epochs", "4", "--hessian-every",
                    "2",     "--out",       dir.path(), "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList rows = csvRows(QDir(dir.path()).filePath("epochs.csv"));
        const QStringList header = rows.value(0).split(',');
        const int column = int(header.indexOf("preconditioned_sharpness"));
        QVERIFY(column > 0);
        QStringList preconditioned;
        for (const QString& row : rows.mid(1)) {
            const QStringList cells = row.split(',');
            if (!cells.value(column).isEmpty()) {
                preconditioned << cells[0];
                QVERIFY(cells[column].toDouble() > 0);
            }
        }
        QCOMPARE(preconditioned, QStringList({"2", "4"}));
    }

    void npyFilesLoadInNumpy() {
        QProcess probe;
        probe.start("/usr/bin/python3", {"-c", "import numpy"});
        if (!probe.waitForFinished(30000) || probe.exitCode() != 0)
            QSKIP("numpy is not installed (python3-numpy)");
        QTemporaryDir dir;
        QCOMPARE(runCli({"train", "--dataset", "xor", "--n", "24", "--test-n", "8", "--width", "8",
                         "--epochs", "2", "--out", dir.path(), "--quiet"})
                     .exitCode,
                 0);
        QProcess python;
        python.start("/usr/bin/python3",
                     {"-c",
                      "import numpy as np, sys; d=sys.argv[1]; k=np.load(d+'/ntk_final.npy'); "
                      "x=np.load(d+'/x_train.npy'); y=np.load(d+'/y_train.npy'); "
                      "assert k.shape==(24,24) and x.shape==(24,2) and y.shape==(24,) and y.dtype==np.int64; "
                      "assert np.allclose(k, k.T); print(np.linalg.eigvalsh(k).max())",
                      dir.path()});
        QVERIFY(python.waitForFinished(30000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    }
};

QTEST_GUILESS_MAIN(CliTest)
#include "test_cli.moc"
