// A run is executed, recorded and exported one way. The same settings give the same files from the three
// places a user can get them: `ntkviz-cli train --out`, `ntkviz --export-figures` and the window's File
// menu (only summary.json's wall times differ). Also: the driver's one error mapping, the BLAS thread
// policy, "final" on an early-stopped run, and the live run (without a window) drawing the first frame
// before epoch 0's theory and never a replaced run's reports.
#include "analytic_ntk.h"
#include "blas_thread_policy.h"
#include "blas_threads.h"
#include "data_prep.h"
#include "live_plot_set.h"
#include "live_run.h"
#include "main_window.h"
#include "npy.h"
#include "run_driver.h"
#include "run_export.h"
#include "run_failure.h"
#include "run_record.h"
#include "settings_table.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace ntk;

namespace {

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The files of an export other than figures.
QStringList numberFiles(const QString& dir) {
    QStringList files = QDir(dir).entryList(QDir::Files, QDir::Name);
    files.removeIf([](const QString& name) { return name.endsWith(".png"); });
    return files;
}

// summary.json without its wall times.
QJsonObject summaryWithoutTimes(const QString& dir) {
    QJsonObject summary = QJsonDocument::fromJson(readAll(dir + "/summary.json")).object();
    summary.remove("seconds");
    summary.remove("kernel_seconds");
    return summary;
}

QString runProcess(const QString& program, const QStringList& arguments) {
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    process.setProcessEnvironment(env);
    process.start(program, arguments);
    if (!process.waitForFinished(300000) || process.exitCode() != 0)
        return program + " failed: " + QString::fromUtf8(process.readAllStandardError());
    return {};
}

int dataRows(const QString& csvPath) {
    return int(readAll(csvPath).count('\n')) - 1; // minus the header
}

// Compares the CLI's, the headless export's and the window's directories for the same flags.
void compareExports(const QStringList& flags, QTemporaryDir& root) {
    const QString cli = root.filePath("cli"), headless = root.filePath("headless"),
                  window = root.filePath("window");
    QString problem = runProcess(NTKVIZ_CLI_PATH, QStringList{"train", "--quiet", "--out", cli} + flags);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    problem = runProcess(NTKVIZ_GUI_PATH, QStringList{"--export-figures", headless} + flags);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // The window, given the settings the command line wrote.
    QString error;
    const auto config = loadConfigFile(cli + "/config.json", error);
    QVERIFY2(config, qPrintable(error));
    {
        MainWindow mainWindow(*config, false);
        mainWindow.resize(1366, 768);
        mainWindow.show();
        QTRY_VERIFY_WITH_TIMEOUT(mainWindow.liveRun().record().ended(), 120000);
        QVERIFY(mainWindow.liveRun().record().completed());
        const auto exportError = mainWindow.exportRunTo(window);
        QVERIFY2(!exportError, qPrintable(exportError.value_or("")));
        // The window thins the spectra it draws; what it exports is every one.
        QVERIFY(int(mainWindow.history().spectra().size()) <= RunHistory::maxStoredSpectra);
    }

    const QStringList files = numberFiles(cli);
    QVERIFY(files.contains("epochs.csv") && files.contains("spectra.csv") && files.contains("ntk_final.npy"));
    QCOMPARE(numberFiles(headless), files);
    QCOMPARE(numberFiles(window), files);
    for (const QString& name : files) {
        if (name == "summary.json")
            continue;
        const QByteArray expected = readAll(cli + "/" + name);
        QVERIFY2(readAll(headless + "/" + name) == expected, qPrintable("headless export differs: " + name));
        QVERIFY2(readAll(window + "/" + name) == expected, qPrintable("window export differs: " + name));
    }
    QCOMPARE(summaryWithoutTimes(headless), summaryWithoutTimes(cli));
    QCOMPARE(summaryWithoutTimes(window), summaryWithoutTimes(cli));
    QVERIFY(!readAll(cli + "/epochs.csv").contains("seconds")); // wall times only in summary.json
}

} // namespace

class RunPipelineTest : public QObject {
    Q_OBJECT
private slots:
    // Early-stopped after more than 1,000 NTK epochs, restoring the best one: every spectrum is exported
    // (the window draws at most 512), and "final" is the best epoch everywhere.
    void cliHeadlessAndWindowWriteTheSameFiles() {
        QTemporaryDir root;
        const QStringList flags{"--dataset", "moons", "--n",          "40", "--test-n", "40",
                                "--noise",   "0.35",  "--width",      "16", "--epochs", "6000",
                                "--lr",      "0.005", "--early-stop", "300"};
        compareExports(flags, root);
        const QString cli = root.filePath("cli");
        const QJsonObject summary = summaryWithoutTimes(cli);
        QCOMPARE(summary["state"].toString(), QString("early-stopped"));
        const int best = summary["best_epoch"].toInt(), stop = summary["stop_epoch"].toInt();
        QVERIFY2(stop > 1000, qPrintable(QString("stopped at %1: the run must be long").arg(stop)));
        QCOMPARE(summary["final_epoch"].toInt(), best);
        QCOMPARE(summary["final_kernel_epoch"].toInt(), best);
        QCOMPARE(dataRows(cli + "/epochs.csv"), stop + 1);
        QCOMPARE(dataRows(cli + "/spectra.csv"), stop + 1);
        // ntk_final.npy is the restored best epoch's kernel: its trace is that epoch's, not the last one's.
        const NpyArray final = decodeNpy(readAll(cli + "/ntk_final.npy").toStdString());
        double trace = 0.0;
        for (std::size_t i = 0; i < final.shape[0]; ++i)
            trace += final.data[i * final.shape[1] + i];
        QVERIFY(std::abs(trace / summary["final_trace"].toDouble() - 1.0) < 1e-12);
    }

    // Curvature epochs with momentum: the three exports agree, and the window's Sharpness plot draws the
    // very sharpness values the command line wrote, against 2/lr and the heavy-ball line (2 + 2 beta)/lr.
    void sharpnessPlotDrawsWhatTheCliWrites() {
        QTemporaryDir root;
        const QStringList flags{"--dataset",       "moons",    "--n",        "40",  "--test-n", "10",
                                "--width",         "16",       "--epochs",   "30",  "--lr",     "0.3",
                                "--optimizer",     "momentum", "--momentum", "0.5", "--batch",  "40",
                                "--hessian-every", "3"};
        compareExports(flags, root);
        const QString cli = root.filePath("cli");
        const QStringList rows =
            QString::fromUtf8(readAll(cli + "/epochs.csv")).split('\n', Qt::SkipEmptyParts);
        const QStringList header = rows.value(0).split(',');
        const qsizetype column = header.indexOf("sharpness");
        QVERIFY(column > 0);
        QMap<double, double> written;
        for (const QString& row : rows.mid(1)) {
            const QStringList cells = row.split(',');
            if (!cells.value(column).isEmpty())
                written[cells[0].toDouble()] = cells[column].toDouble();
        }
        QCOMPARE(written.size(), 11); // epochs 0, 3, ..., 30
        QString error;
        const auto config = loadConfigFile(cli + "/config.json", error);
        QVERIFY2(config, qPrintable(error));
        MainWindow window(*config, false);
        window.resize(1366, 768);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.liveRun().record().ended(), 120000);
        SharpnessPlot* plot = window.livePlots().sharpness;
        plot->refreshNow(window.history());
        QMap<double, double> drawn;
        for (auto it = plot->graph(0)->data()->constBegin(); it != plot->graph(0)->data()->constEnd(); ++it)
            drawn[it->key] = it->value;
        QCOMPARE(drawn.keys(), written.keys());
        for (double epoch : written.keys())
            QVERIFY2(std::abs(drawn[epoch] - written[epoch]) <= 1e-12 * std::abs(written[epoch]),
                     qPrintable(QString("epoch %1: drawn %2, written %3")
                                    .arg(epoch)
                                    .arg(drawn[epoch])
                                    .arg(written[epoch])));
        QStringList lines;
        for (int i = 0; i < plot->itemCount(); ++i)
            if (auto* text = qobject_cast<QCPItemText*>(plot->item(i)); text && text->visible())
                lines << text->text();
        // Each line is labelled on the plot, or named in the note when it lies above the axis.
        const QString all = lines.join(" | ") + " / " + plot->note();
        QVERIFY2(all.contains(QString("2/η = %1").arg(2.0 / 0.3, 0, 'g', 3)), qPrintable(all));
        QVERIFY2(all.contains(QString("(2+2β)/η = %1").arg(3.0 / 0.3, 0, 'g', 3)), qPrintable(all));
    }

    // When the best epoch had no NTK evaluation, the final kernel is measured from its parameters: the
    // three exports still agree, and "final" is still the best epoch.
    void finalKernelBetweenNtkEpochsIsMeasured() {
        QTemporaryDir root;
        const QStringList flags{"--dataset", "moons", "--n",          "40",  "--test-n",    "40",
                                "--noise",   "0.35",  "--width",      "16",  "--epochs",    "3000",
                                "--lr",      "0.01",  "--early-stop", "150", "--ntk-every", "7"};
        compareExports(flags, root);
        const QJsonObject summary = summaryWithoutTimes(root.filePath("cli"));
        const int best = summary["best_epoch"].toInt();
        QVERIFY2(best % 7 != 0,
                 qPrintable(QString("best epoch %1 is an NTK epoch: choose other flags").arg(best)));
        QCOMPARE(summary["final_kernel_epoch"].toInt(), best);
    }

    // The infinite-width trace and Frobenius norm come from the whole analytic kernel, also when only
    // its top eigenvalues are solved for the plot.
    void analyticTraceIgnoresTopK() {
        RunConfig c;
        c.dataset = DatasetKind::Moons;
        c.trainSize = 100;
        c.testSize = 0;
        c.topK = 10;
        const RunRecord record = recordRun(1, c);
        QVERIFY(record.completed());
        const RunInfo& info = record.info();
        const AnalyticNtkSpec spec{c.depth, c.activation, c.sigmaW, c.sigmaB};
        const Eigen::MatrixXd limit = double(info.outputs) * analyticNtk(spec, info.data->train.features);
        QCOMPARE(info.analyticSpectrum.size(), Eigen::Index(10));
        QVERIFY(info.analyticTrace && std::abs(*info.analyticTrace / limit.trace() - 1.0) < 1e-12);
        QVERIFY(info.analyticFrobenius && std::abs(*info.analyticFrobenius / limit.norm() - 1.0) < 1e-12);
        QVERIFY(info.analyticSpectrum.sum() < (1.0 - 1e-6) * limit.trace()); // the top-10 alone fall short
    }

    void driverReportsFailuresInOneLineAndNeverThrows() {
        RunConfig config;
        config.dataset = DatasetKind::Csv;
        config.dataPath = "/nonexistent/ntkviz/data.csv";
        RecordingObserver observer;
        const RunOutcome outcome = driveRun(3, config, observer);
        QVERIFY(outcome.failure.contains("/nonexistent/ntkviz/data.csv"));
        QVERIFY(!outcome.failure.contains('\n'));
        QVERIFY(!outcome.cancelled);
        QVERIFY(observer.record.ended() && !observer.record.completed());
        // Every kind of error the runtime can meet maps to one line; cancelling is not an error.
        QCOMPARE(*failureMessage(std::make_exception_ptr(std::logic_error("bad state"))),
                 QString("internal error: bad state"));
        QCOMPARE(*failureMessage(std::make_exception_ptr(std::invalid_argument("width must be positive"))),
                 QString("width must be positive"));
        QVERIFY(failureMessage(std::make_exception_ptr(std::bad_alloc()))->contains("out of memory"));
        QVERIFY(!failureMessage(std::make_exception_ptr(Cancelled())));
        std::atomic<bool> cancel{true};
        RunConfig moons;
        moons.dataset = DatasetKind::Moons;
        moons.trainSize = 20;
        RunControl control;
        control.cancel = &cancel;
        QVERIFY(driveRun(4, moons, observer, control).cancelled);
    }

    void sweepsLeaseOneBlasThreadAndGiveItBack() {
        if (blasThreads() == 0)
            QSKIP("the BLAS in use has no thread control");
        const int before = blasThreads();
        {
            const BlasThreadLease sweep = BlasThreadLease::forSweep();
            QCOMPARE(blasThreads(), 1);
            RunConfig big;
            big.trainSize = 4000;
            big.width = 1024;
            const BlasThreadLease run = BlasThreadLease::forRun(big, 4000, 784, 10);
            QCOMPARE(blasThreads(), 1); // a sweep is running: one thread, whatever the run prefers
        }
        QCOMPARE(blasThreads(), before == 0 ? defaultBlasThreads() : policyBlasThreads());
    }

    // The first frame comes before epoch 0's theory, and a replaced run's reports never reach the history.
    void liveRunDrawsTheFirstFrameFirst() {
        LiveRun live;
        RunConfig config;
        config.dataset = DatasetKind::Moons;
        config.trainSize = 1200;
        config.testSize = 200;
        config.width = 256;
        config.epochs = 3;
        QSignalSpy frames(&live, &LiveRun::frameDue);
        QVERIFY(!live.start(config));
        // Epoch 0 arrives on its own, without the residual energies the theory views need...
        QTRY_VERIFY_WITH_TIMEOUT(live.history().latest() != nullptr, 60000);
        QCOMPARE(live.history().latest()->epoch, 0);
        QCOMPARE(live.history().initialResidualEnergy().size(), Eigen::Index(0));
        // ...which follow, and amend epoch 0 in the record.
        QTRY_VERIFY_WITH_TIMEOUT(live.record().ended(), 120000);
        QCOMPARE(live.history().initialResidualEnergy().size(), Eigen::Index(config.trainSize));
        QCOMPARE(live.record().epochs().front().residualEnergy.size(), Eigen::Index(config.trainSize));
        QTRY_VERIFY(frames.count() > 0);

        // A run replaced while it trains leaves nothing behind.
        config.trainSize = 200;
        config.epochs = 100000;
        QVERIFY(!live.start(config));
        QTRY_VERIFY_WITH_TIMEOUT(live.history().latest() && live.history().latest()->epoch > 5, 60000);
        const RunId first = live.currentRunId();
        config.width = 32;
        config.epochs = 20;
        QVERIFY(!live.start(config));
        QTRY_VERIFY_WITH_TIMEOUT(live.record().ended() && live.currentRunId() != first, 60000);
        QCOMPARE(live.history().runId(), live.currentRunId());
        QCOMPARE(live.history().info().config.width, 32);
        QCOMPARE(int(live.record().epochs().size()), 21);

        // While a frame is drawn, arrivals wait.
        config.epochs = 400;
        QVERIFY(!live.start(config));
        QTRY_VERIFY_WITH_TIMEOUT(live.history().latest() && live.history().runId() == live.currentRunId(),
                                 60000);
        live.beginFrame();
        const int epochBefore = live.history().latest()->epoch;
        QTest::qWait(300);
        QCOMPARE(live.history().latest()->epoch, epochBefore);
        live.endFrame();
        QTRY_VERIFY(live.history().latest()->epoch > epochBefore);
    }
};

QTEST_MAIN(RunPipelineTest)
#include "test_run_pipeline.moc"
