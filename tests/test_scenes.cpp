// Scene files and sweeps: every built-in scene loads and runs, the trace grows linearly with n, fits and
// moments follow their formulas, and sharded runs merge into the unsharded result.
#include "scene_summary.h"
#include "sweep_runner.h"

#include <QtTest>

using namespace ntk;

namespace {

// A scene cut down to a couple of cheap epochs per run, for smoke-testing every file.
Scene shrunk(Scene scene) {
    for (SceneRun& run : scene.runs) {
        run.config.epochs = 2;
        run.config.ntkEvery = 1;
        run.config.trainSize = std::min(run.config.trainSize, 30);
        run.config.testSize = std::min(run.config.testSize, 20);
        run.config.width = std::min(run.config.width, 32);
        run.config.dataset = DatasetKind::Blobs; // the image data may not be installed where tests run
        run.config.blobClasses = 3;
    }
    return scene;
}

std::vector<RunResult> runEverything(const Scene& scene) {
    std::vector<std::pair<int, SceneRun>> runs;
    for (int i = 0; i < int(scene.runs.size()); ++i)
        runs.emplace_back(i, scene.runs[i]);
    return runSceneRuns(runs, 2);
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class SceneTest : public QObject {
    Q_OBJECT
private slots:
    void everyBuiltinSceneLoadsAndRuns() {
        const QStringList paths = builtinScenePaths();
        QVERIFY(paths.size() >= 14);
        for (const QString& path : paths) {
            QString error;
            const auto scene = loadScene(path, error);
            QVERIFY2(scene.has_value(), qPrintable(error));
            QVERIFY2(!scene->caption.isEmpty() && !scene->name.isEmpty(), qPrintable(path));
            QVERIFY(!scene->runs.empty());
            const auto results = runEverything(shrunk(*scene));
            for (const RunResult& run : results) {
                QVERIFY2(run.error().isEmpty(), qPrintable(path + ": " + run.label + ": " + run.error()));
                QCOMPARE(int(run.reports().size()), 3);
                QVERIFY(run.finalKernel() != nullptr);
            }
        }
    }

    void sweepLabelsAndValuesFollowTheFile() {
        QString error;
        const auto grid = findScene("03-n-by-l2", error);
        QVERIFY2(grid, qPrintable(error));
        QCOMPARE(int(grid->runs.size()), 20);
        QCOMPARE(grid->sweepKey, QString("n"));
        QCOMPARE(grid->seriesKey, QString("l2"));
        QCOMPARE(grid->runs[6].label, QString("n = 100, l2 = 0.001"));
        QCOMPARE(grid->runs[6].config.trainSize, 100);
        QCOMPARE(grid->runs[6].config.l2, 0.001);
        QCOMPARE(grid->runs[6].config.learningRate, grid->base.learningRate);
    }

    void badSceneFilesNameTheProblem_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not a scene") << QByteArray(R"({"format": "other"})") << "format";
        QTest::newRow("unknown key") << QByteArray(R"({"format": "ntkviz-scene", "sweeps": {}})") << "sweeps";
        QTest::newRow("bad sweep key")
            << QByteArray(R"({"format": "ntkviz-scene", "sweep": {"key": "size", "values": [1]}})") << "size";
        QTest::newRow("bad value")
            << QByteArray(R"({"format": "ntkviz-scene", "sweep": {"key": "width", "values": [0]}})")
            << "width = 0";
        QTest::newRow("future") << QByteArray(R"({"format": "ntkviz-scene", "version": 9})") << "version 9";
        QTest::newRow("unknown view") << QByteArray(R"({"format": "ntkviz-scene", "view": "strip"})")
                                      << "\"view\": \"strip\" is not a view";
        QTest::newRow("unknown metric")
            << QByteArray(R"({"format": "ntkviz-scene", "view": "summary:speed"})") << "summary:speed";
        QTest::newRow("view not text")
            << QByteArray(R"({"format": "ntkviz-scene", "view": 3})") << "not a string";
    }

    // Every view a scene may name does something: the ones the built-in scenes use are all valid, and the
    // scene page applies them (the summary's metric, the sixth plot's mode).
    void everyBuiltinViewIsValid() {
        for (const QString& path : builtinScenePaths()) {
            QString error;
            const auto scene = loadScene(path, error);
            QVERIFY2(scene, qPrintable(error));
            if (!scene->view.isEmpty())
                QVERIFY2(!checkSceneView(scene->view), qPrintable(path));
        }
    }

    void badSceneFilesNameTheProblem() {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath("bad-scene.json");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(json);
        file.close();
        QString error;
        QVERIFY(!loadScene(path, error));
        QVERIFY2(error.contains("bad-scene.json") && error.contains(expected), qPrintable(error));
    }

    // The seed's claim, measured on the default data: the trace grows linearly with n.
    void traceGrowsLinearlyWithN() {
        QString error;
        auto scene = findScene("13-trace-vs-n", error);
        QVERIFY2(scene, qPrintable(error));
        for (SceneRun& run : scene->runs)
            if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist"))
                run.config.dataset = DatasetKind::Blobs; // without the data package: the same claim on blobs
        const auto results = runEverything(*scene);
        const auto fit = metricFit(results, SummaryMetric::Trace);
        QVERIFY(fit.has_value());
        qInfo("trace = %.4f n + %.3f, R^2 = %.5f", fit->slope, fit->intercept, fit->rSquared);
        QVERIFY2(fit->rSquared > 0.95, qPrintable(QString::number(fit->rSquared)));
        QVERIFY(fit->slope > 0);
    }

    // The whole-training-set scene's claim, at sizes a test can afford (its own runs go to n = 60,000,
    // minutes in all): lambda_max and the trace both grow linearly with n, also where the largest run's
    // kernel is solved as an operator (forced here on 800 points, as above 10,000), whose distribution comes
    // from its density. Its view puts both metrics on the summary plot and the density on the sixth.
    void wholeTrainingSetSceneGrowsLinearlyWithN() {
        QString error;
        auto scene = findScene("16-whole-training-set", error);
        QVERIFY2(scene, qPrintable(error));
        QCOMPARE(scene->runs.back().config.trainSize, 60000);
        QCOMPARE(scene->view, QString("summary:trace+lambda_max, density"));
        QVERIFY(!checkSceneView(scene->view));
        const auto metrics = parseMetrics("trace+lambda_max");
        QVERIFY(metrics && metrics->size() == 2);
        const std::vector<int> sizes{50, 100, 200, 400, 800};
        scene->runs.resize(sizes.size());
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            RunConfig& c = scene->runs[i].config;
            c.trainSize = sizes[i];
            c.testSize = 50;
            c.epochs = 2;
            c.ntkEvery = 2;
            if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist"))
                c.dataset = DatasetKind::Blobs; // without the data package: the same claim on blobs
            scene->runs[i].sweepValue = sizes[i];
        }
        scene->runs.back().config.kernelSolver = KernelSolver::MatrixFree;
        const auto results = runEverything(*scene);
        for (const RunResult& run : results)
            QVERIFY2(run.error().isEmpty(), qPrintable(run.label + ": " + run.error()));
        const EpochReport* largest = results.back().finalKernel();
        QVERIFY(largest && largest->matrixFree && largest->density);
        for (SummaryMetric metric : *metrics) {
            const auto fit = metricFit(results, metric);
            QVERIFY(fit.has_value());
            qInfo("%s = %.4f n + %.3f, R^2 = %.5f", qPrintable(metricKey(metric)), fit->slope, fit->intercept,
                  fit->rSquared);
            QVERIFY2(fit->rSquared > 0.95,
                     qPrintable(metricKey(metric) + ": " + QString::number(fit->rSquared)));
            QVERIFY(fit->slope > 0);
        }
        // The distribution's moments come from the density, which spans the kernel's decades.
        const Moments fromDensity = logSpectrumMoments(results.back());
        QVERIFY(std::isfinite(fromDensity.mean) && fromDensity.variance > 0.01);
        QVERIFY(fromDensity.mean < std::log10(largest->kernel.lambdaMax));
    }

    // The edge-of-stability scene: its file asks for the sharpness view and the Hessian, and the claim its
    // caption makes holds on its own settings, cut to the largest learning rate and 120 epochs: the
    // sharpness reaches 2/lr and hovers there (within 0.95-1.3 of it from epoch 60 on) while the loss falls.
    void edgeOfStabilitySceneHoversAtTwoOverLr() {
        QString error;
        auto scene = findScene("17-edge-of-stability", error);
        QVERIFY2(scene, qPrintable(error));
        QCOMPARE(scene->view, QString("sharpness"));
        QVERIFY(!checkSceneView(scene->view));
        QCOMPARE(int(scene->runs.size()), 3);
        for (const SceneRun& run : scene->runs) {
            QVERIFY(run.config.loss == LossKind::Mse);
            QVERIFY(run.config.optimizer == OptimizerKind::Gd);
            QVERIFY(run.config.hessianEvery > 0);
        }
        if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist"))
            QSKIP("the claim is about Fashion-MNIST (Debian: dataset-fashion-mnist)");
        SceneRun run = scene->runs.back();
        QCOMPARE(run.config.learningRate, 1.0);
        run.config.epochs = 120;
        scene->runs = {run};
        const auto results = runEverything(*scene);
        QVERIFY2(results.front().error().isEmpty(), qPrintable(results.front().error()));
        int measured = 0;
        for (const EpochReport& report : results.front().reports()) {
            if (report.epoch < 60 || !report.sharpness)
                continue;
            const double edgeShare = *report.sharpness * run.config.learningRate / 2.0;
            QVERIFY2(edgeShare > 0.95 && edgeShare < 1.3,
                     qPrintable(QString("epoch %1: sharpness x lr/2 = %2").arg(report.epoch).arg(edgeShare)));
            ++measured;
        }
        QVERIFY(measured >= 3);
        const auto& reports = results.front().reports();
        QVERIFY(reports.back().trainLoss < 0.2 * reports.front().trainLoss);
    }

    // The catapult scene's claim on its own settings, cut to 12 epochs: below the kernel's edge of stability
    // (2nO^2/lambda_0) lambda_max barely moves; beyond it the loss first rises above its start, then falls
    // below it, and lambda_max ends below the edge of the run's own step, 2nO^2/lr.
    void catapultSceneDropsLambdaMaxBelowTheStepsEdge() {
        QString error;
        auto scene = findScene("18-catapult", error);
        QVERIFY2(scene, qPrintable(error));
        QCOMPARE(int(scene->runs.size()), 3);
        if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist"))
            QSKIP("the claim is about Fashion-MNIST (Debian: dataset-fashion-mnist)");
        for (SceneRun& run : scene->runs)
            run.config.epochs = 12;
        const auto results = runEverything(*scene);
        const double nO2 = double(scene->runs.front().config.trainSize) * 10.0 * 10.0;
        for (const RunResult& run : results) {
            QVERIFY2(run.error().isEmpty(), qPrintable(run.error()));
            const auto& reports = run.reports();
            const double lambda0 = reports.front().kernel.lambdaMax,
                         lambdaEnd = reports.back().kernel.lambdaMax;
            const double linearEdge = 2.0 * nO2 / lambda0, lr = run.config.learningRate;
            double highest = 0.0;
            for (const EpochReport& r : reports)
                highest = std::max(highest, r.trainLoss);
            qInfo("lr %g (%.2f x the edge): loss %.3g -> max %.3g -> %.3g, lambda_max %.4g -> %.4g", lr,
                  lr / linearEdge, reports.front().trainLoss, highest, reports.back().trainLoss, lambda0,
                  lambdaEnd);
            QVERIFY(reports.back().trainLoss < reports.front().trainLoss);
            if (lr < linearEdge) {
                QVERIFY(std::abs(lambdaEnd / lambda0 - 1.0) < 0.1);
                QCOMPARE(highest, reports.front().trainLoss);
            } else {
                QVERIFY(highest > 2.0 * reports.front().trainLoss);
                QVERIFY(lambdaEnd < 2.0 * nO2 / lr);
            }
        }
        QVERIFY(scene->runs.front().config.learningRate <
                2.0 * nO2 / results.front().reports().front().kernel.lambdaMax);
    }

    // The parameterization scene: names as series, and the claim its caption makes, on small data.
    void standardParameterizationGrowsWithWidth() {
        QString error;
        auto scene = findScene("15-parameterization-width", error);
        QVERIFY2(scene, qPrintable(error));
        QCOMPARE(scene->seriesKey, QString("param"));
        QCOMPARE(scene->runs.front().seriesLabel, QString("ntk"));
        QCOMPARE(scene->runs.back().seriesLabel, QString("standard"));
        QCOMPARE(scene->runs.back().seriesValue, 1.0);
        QVERIFY(scene->runs.back().config.parameterization == Parameterization::Standard);
        std::vector<SceneRun> runs;
        for (SceneRun run : scene->runs)
            if (run.config.width == 16 || run.config.width == 1024) {
                run.config.dataset = DatasetKind::Blobs;
                run.config.trainSize = 40;
                run.config.testSize = 10;
                run.config.epochs = 1;
                run.config.ntkEvery = 1;
                runs.push_back(run);
            }
        scene->runs = runs;
        const auto results = runEverything(*scene);
        QCOMPARE(int(results.size()), 4);
        auto lambdaMax = [&](int width, Parameterization p) {
            for (const RunResult& r : results)
                if (r.config.width == width && r.config.parameterization == p)
                    return *finalMetric(r, SummaryMetric::LambdaMax);
            return 0.0;
        };
        const double ntkWide = lambdaMax(1024, Parameterization::Ntk);
        const double standardNarrow = lambdaMax(16, Parameterization::Standard);
        const double standardWide = lambdaMax(1024, Parameterization::Standard);
        qInfo("lambda_max: ntk %.4g -> %.4g, standard %.4g -> %.4g", lambdaMax(16, Parameterization::Ntk),
              ntkWide, standardNarrow, standardWide);
        QVERIFY(standardWide > 2.0 * standardNarrow);
        QVERIFY(standardWide > 10.0 * ntkWide);
        for (const RunResult& r : results) {
            const auto limit = infiniteWidthMetric(r, SummaryMetric::LambdaMax);
            QCOMPARE(limit.has_value(), r.config.parameterization == Parameterization::Ntk);
            if (limit && r.config.width == 1024)
                QVERIFY2(std::abs(ntkWide / *limit - 1.0) < 0.1, qPrintable(QString::number(*limit)));
        }
        const QByteArray csv = sceneRunsCsv(*scene, results);
        QVERIFY(csv.contains("infinite_width_lambda_max") && csv.contains(",standard,"));
    }

    // An early-stopped run that restores its best epoch is summarized by that epoch, not the last one; its
    // kernel numbers are those of the final parameters (measured at the end when that epoch had none).
    void summaryUsesTheRestoredBestEpoch() {
        const auto make = [](bool restoreBest, std::optional<double> measuredLambdaMax) {
            RunResult run;
            run.config.restoreBest = restoreBest;
            RunInfo info;
            info.config = run.config;
            run.record.start(info);
            for (int epoch = 0; epoch <= 5; ++epoch) {
                EpochReport r;
                r.epoch = epoch;
                r.testLoss = 1.0 + std::abs(epoch - 2.0);
                r.hasKernel = epoch % 2 == 1;
                r.kernel.lambdaMax = 10.0 * epoch;
                run.record.add(r);
            }
            RunOutcome outcome;
            outcome.state = RunState::EarlyStopped;
            outcome.bestEpoch = 2;
            outcome.stopEpoch = 5;
            outcome.finalEpoch = restoreBest ? 2 : 5;
            if (measuredLambdaMax) {
                EpochReport measured;
                measured.epoch = 2;
                measured.hasKernel = true;
                measured.kernel.lambdaMax = *measuredLambdaMax;
                outcome.measuredFinalKernel = measured;
            }
            run.record.finish(outcome);
            return run;
        };
        QCOMPARE(*finalMetric(make(true, std::nullopt), SummaryMetric::TestLoss), 1.0);
        QCOMPARE(*finalMetric(make(true, std::nullopt), SummaryMetric::LambdaMax), 10.0); // NTK epoch 1 <= 2
        QCOMPARE(*finalMetric(make(true, 17.0), SummaryMetric::LambdaMax), 17.0); // the final parameters'
        QCOMPARE(*finalMetric(make(false, std::nullopt), SummaryMetric::TestLoss), 4.0);
        QCOMPARE(*finalMetric(make(false, std::nullopt), SummaryMetric::LambdaMax), 50.0);
    }

    void fitAndMomentsFollowTheirFormulas() {
        Eigen::VectorXd x(4), y(4);
        x << 1, 2, 3, 4;
        y << 3, 5, 7, 9;
        const LinearFit exact = fitLine(x, y);
        QCOMPARE(exact.slope, 2.0);
        QCOMPARE(exact.intercept, 1.0);
        QCOMPARE(exact.rSquared, 1.0);
        Eigen::VectorXd symmetric(4);
        symmetric << -2, -1, 1, 2;
        const Moments m = moments(symmetric);
        QCOMPARE(m.mean, 0.0);
        QCOMPARE(m.variance, 2.5);
        QCOMPARE(m.skewness, 0.0);
        QVERIFY(std::abs(m.kurtosis - (8.5 / 6.25 - 3.0)) < 1e-12);
    }

    void shardsMergeIntoTheUnshardedResult() {
        QTemporaryDir dir;
        QTemporaryDir scenes;
        const QString scenePath = scenes.filePath("tiny.json");
        QFile file(scenePath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "ntkviz-scene", "version": 1, "name": "tiny",
                       "settings": {"dataset": "xor", "n": 24, "test_n": 8, "width": 8, "epochs": 3},
                       "sweep": {"key": "width", "values": [4, 8, 16, 32, 64]}})");
        file.close();
        auto cli = [](const QStringList& args) {
            QProcess p;
            p.start(NTKVIZ_CLI_PATH, args);
            p.waitForFinished(120000);
            return p.exitCode();
        };
        QCOMPARE(cli({"scene", scenePath, "--out", dir.filePath("all"), "--quiet"}), 0);
        QCOMPARE(cli({"scene", scenePath, "--shard", "0/2", "--out", dir.filePath("s0"), "--quiet"}), 0);
        QCOMPARE(cli({"scene", scenePath, "--shard", "1/2", "--out", dir.filePath("s1"), "--quiet"}), 0);
        QCOMPARE(cli({"merge", dir.filePath("s1"), dir.filePath("s0"), "--out", dir.filePath("merged")}), 0);
        QCOMPARE(cli({"scene", scenePath, "--shard", "2/2", "--out", dir.filePath("bad")}), 2);
        // Same runs, same numbers (the last epochs.csv column is wall time and may differ).
        QCOMPARE(readAll(dir.filePath("merged/runs.csv")), readAll(dir.filePath("all/runs.csv")));
        QCOMPARE(readAll(dir.filePath("merged/spectra.csv")), readAll(dir.filePath("all/spectra.csv")));
        const auto stripTime = [](const QByteArray& csv) {
            QStringList lines;
            for (const QString& line : QString::fromUtf8(csv).split('\n'))
                lines << line.section(',', 0, -2);
            return lines;
        };
        QCOMPARE(stripTime(readAll(dir.filePath("merged/epochs.csv"))),
                 stripTime(readAll(dir.filePath("all/epochs.csv"))));
    }
};

QTEST_GUILESS_MAIN(SceneTest)
#include "test_scenes.moc"
