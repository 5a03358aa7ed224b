// The main window offscreen: sliders restart runs whose data reach the plots, exports write real images,
// degenerate spectra keep every axis drawable, and the headless figure export works without a display.
#include "control_panel.h"
#include "figure_export.h"
#include "labeled_slider.h"
#include "live_plot_set.h"
#include "main_window.h"
#include "run_status_line.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSlider>
#include <QtTest>

Q_DECLARE_METATYPE(ntk::LossKind)

using namespace ntk;

#if defined(__SANITIZE_THREAD__)
#define NTKVIZ_UNDER_TSAN
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NTKVIZ_UNDER_TSAN
#endif
#endif

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

// More than a handful of distinct colours: the image shows a plot, not an empty canvas.
int distinctColours(const QImage& image) {
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}

bool axisDrawable(const QCPAxis* axis) {
    const QCPRange r = axis->range();
    if (!std::isfinite(r.lower) || !std::isfinite(r.upper) || !(r.upper > r.lower))
        return false;
    return axis->scaleType() != QCPAxis::stLogarithmic || r.lower > 0.0;
}

RunHistory historyWithSpectrum(const Eigen::VectorXd& eigenvalues,
                               KernelPrecision precision = KernelPrecision::Double,
                               LossKind loss = LossKind::CrossEntropy,
                               const std::optional<Eigen::MatrixXd>& kernel = std::nullopt) {
    RunHistory history;
    RunInfo info;
    info.runId = 7;
    info.config = quickConfig();
    info.config.kernelPrecision = precision;
    info.config.loss = loss;
    info.trainSize = int(eigenvalues.size());
    info.inputDim = 5;
    info.outputs = 2;
    info.trainLabels = Eigen::VectorXi::Zero(eigenvalues.size());
    history.reset(info);
    LiveBatch batch{7, {}};
    for (int epoch = 0; epoch < 3; ++epoch) {
        LiveReport live;
        live.epoch.epoch = epoch;
        live.epoch.trainLoss = 1.0;
        live.epoch.hasKernel = true;
        live.epoch.eigenvalues = eigenvalues;
        live.epoch.kernel.lambdaMax = eigenvalues.maxCoeff();
        live.epoch.kernel.trace = eigenvalues.sum();
        live.kernel = std::make_shared<const Eigen::MatrixXd>(
            kernel ? *kernel : Eigen::MatrixXd(eigenvalues.asDiagonal()));
        batch.reports.push_back(live);
    }
    history.append(batch);
    return history;
}

} // namespace

class AppTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void windowTrainsAndPlotsReceiveData() {
        MainWindow window(quickConfig(), false);
        window.resize(1366, 768);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        QCOMPARE(int(window.history().reports().size()), 61);
        SpectrumPlot* spectrum = window.livePlots().spectrum;
        const int hidden = window.history().latestWithKernel()->kernel.nonPositiveCount;
        // The log axis leaves out eigenvalues <= 0; everything else is drawn.
        QTRY_COMPARE_WITH_TIMEOUT(spectrum->graph(0)->dataCount() + hidden, 40, 2000);
        QVERIFY(window.runStateText().startsWith("finished"));
    }

    void everySliderStartsANewRunThatReachesThePlots() {
        MainWindow window(quickConfig(), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        const auto sliders = window.controls()->findChildren<LabeledSlider*>();
        QVERIFY(sliders.size() >= 10);
        for (LabeledSlider* slider : sliders) {
            if (!slider->isEnabled())
                continue;
            auto* qslider = slider->findChild<QSlider*>();
            const RunId before = window.liveRun().currentRunId();
            // Move to the nearest stop that changes the value, downwards where possible so runs stay quick.
            const double oldValue = slider->value();
            const int direction = qslider->value() > qslider->minimum() ? -1 : 1;
            for (int step = 1; slider->value() == oldValue && step < 20; ++step)
                qslider->setValue(qslider->value() + direction);
            QVERIFY(slider->value() != oldValue);
            QTRY_VERIFY_WITH_TIMEOUT(window.liveRun().currentRunId() != before, 5000);
            QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun() &&
                                         window.history().runId() == window.liveRun().currentRunId() &&
                                         !window.history().reports().empty(),
                                     30000);
            QVERIFY2(window.history().info().config.trainSize > 0, qPrintable(slider->objectName()));
        }
    }

    void everyPlotExportsADecodablePngOfTheRequestedSize() {
        MainWindow window(quickConfig(), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        QTemporaryDir dir;
        for (LivePlot* plot : window.plots()) {
            plot->refresh(window.history());
            const QString path = dir.filePath(plot->fileName() + ".png");
            const auto error = plot->exportPng(path, 800, 500, 2.0);
            QVERIFY2(!error, qPrintable(error.value_or(QString())));
            QImage image(path);
            QVERIFY2(!image.isNull(), qPrintable(path));
            QCOMPARE(image.size(), QSize(1600, 1000));
            QVERIFY2(distinctColours(image) > 20, qPrintable(plot->fileName()));
            const QString pdf = dir.filePath(plot->fileName() + ".pdf");
            QVERIFY(!plot->exportPdf(pdf, 800, 500));
            QFile pdfFile(pdf);
            QVERIFY(pdfFile.open(QIODevice::ReadOnly) && pdfFile.read(5) == "%PDF-");
        }
        // An unwritable target gives an error and leaves no file.
        const auto error = window.livePlots().spectrum->exportPng("/nonexistent-dir/x.png", 400, 300, 1.0);
        QVERIFY(error && error->contains("/nonexistent-dir/x.png"));
    }

    void degenerateSpectraKeepEveryAxisValid_data() {
        QTest::addColumn<QVector<double>>("values");
        QTest::newRow("all equal") << QVector<double>{2.0, 2.0, 2.0, 2.0};
        QTest::newRow("zeros") << QVector<double>{0.0, 0.0, 0.0};
        QTest::newRow("tiny negatives") << QVector<double>{5.0, 1e-3, -1e-15, -2e-16};
        QTest::newRow("single") << QVector<double>{3.0};
        QTest::newRow("huge range") << QVector<double>{1e12, 1.0, 1e-12};
    }

    void degenerateSpectraKeepEveryAxisValid() {
        QFETCH(QVector<double>, values);
        const Eigen::VectorXd eigenvalues = Eigen::Map<const Eigen::VectorXd>(values.data(), values.size());
        const RunHistory history = historyWithSpectrum(eigenvalues);
        QWidget host;
        for (LivePlot* plot : createLivePlots(&host).all()) {
            for (bool log : {true, false}) {
                plot->setLogScale(log);
                plot->resize(400, 300);
                plot->refresh(history);
                plot->replot();
                for (QCPAxis* axis : plot->axisRect()->axes())
                    QVERIFY2(axisDrawable(axis), qPrintable(QString("%1 %2").arg(plot->fileName()).arg(log)));
            }
        }
    }

    // A single-precision kernel's eigenvalues below 1e-7 lambda_max are its round-off: the log axis leaves
    // them out and says so; a double kernel's small positive eigenvalues are drawn.
    void singlePrecisionRoundOffIsNotDrawnOnTheLogAxis() {
        Eigen::VectorXd eigenvalues(6);
        eigenvalues << 100.0, 1.0, 1e-3, 1e-6, 1e-9, 1e-12;
        for (KernelPrecision precision : {KernelPrecision::Double, KernelPrecision::Single}) {
            const RunHistory history = historyWithSpectrum(eigenvalues, precision);
            QWidget host;
            LivePlot* spectrum = createLivePlots(&host).spectrum;
            QCOMPARE(spectrum->fileName(), QString("spectrum"));
            spectrum->setLogScale(true);
            spectrum->refresh(history);
            const bool single = precision == KernelPrecision::Single;
            QCOMPARE(spectrum->graph(0)->dataCount(), single ? 3 : 6); // floor 1e-5
            QCOMPARE(spectrum->graph(1)->dataCount(), single ? 3 : 6); // the initialization likewise
            QCOMPARE(spectrum->note().contains("3 below 1e-07"), single);
            spectrum->setLogScale(false);
            spectrum->refresh(history);
            QCOMPARE(spectrum->graph(0)->dataCount(), 6); // the linear axis shows every value
        }
    }

    // The line on the lambda_max plot is the stability edge for decoupled outputs, not a guarantee: at
    // finite width lambda_max of the full nO x nO kernel can exceed lambda_max(K)/O of the summed kernel.
    void stabilityEdgeIsLabelledAsTheEdgeForDecoupledOutputs_data() {
        QTest::addColumn<LossKind>("loss");
        QTest::addColumn<QString>("formula");
        QTest::newRow("cross-entropy") << LossKind::CrossEntropy << QString("4nO/η");
        QTest::newRow("mse") << LossKind::Mse << QString("2nO²/η");
    }

    void stabilityEdgeIsLabelledAsTheEdgeForDecoupledOutputs() {
        QFETCH(LossKind, loss);
        QFETCH(QString, formula);
        Eigen::VectorXd eigenvalues(4);
        eigenvalues << 50.0, 5.0, 1.0, 0.1;
        const RunHistory history = historyWithSpectrum(eigenvalues, KernelPrecision::Double, loss);
        QCOMPARE(history.info().outputs, 2);
        QWidget host;
        SeriesPlot* lambdaMax = createLivePlots(&host).lambdaMax;
        lambdaMax->refresh(history);
        QStringList labels;
        for (int i = 0; i < lambdaMax->itemCount(); ++i)
            if (auto* text = qobject_cast<QCPItemText*>(lambdaMax->item(i));
                text && text->text().contains("η"))
                labels << text->text();
        QCOMPARE(labels.size(), 1);
        const QString label = labels.front();
        QVERIFY2(label.contains(formula), qPrintable(label));
        QVERIFY2(label.contains("decoupled"), qPrintable(label));
        QVERIFY2(!label.contains("guarantee") && !label.contains("bound"), qPrintable(label));
        // The tooltip says what the line is and is not.
        QVERIFY(lambdaMax->toolTip().contains("not a guarantee"));
        QVERIFY(!lambdaMax->toolTip().contains("as a guarantee"));
    }

    // A colour bar over a narrow range labels its ticks with enough digits to tell them apart: the kernel
    // matrix (Θ itself). Six significant digits, the axis default, still separate 0.1000 to 0.1004; from
    // 0.1000000 to 0.1000004 they labelled every tick "0.1". (The spectrum heatmap's bar is centred at 0
    // and spans at least ±0.01, see spectrumHeatmapShowsTheChange.)
    void spectrumHeatmapShowsTheChange() {
        // Eigenvalues spanning four decades that grow by half and then double during training: drawn as
        // log₁₀ λ the change hid in the spread; drawn against epoch 0 every column says how far it moved.
        Eigen::VectorXd initial(4);
        initial << 1000.0, 50.0, 2.0, 0.1;
        RunHistory history = historyWithSpectrum(initial);
        LiveBatch batch{7, {}};
        for (const double factor : {1.5, 2.0}) {
            LiveReport live;
            live.epoch.epoch = history.latest()->epoch + 1;
            live.epoch.hasKernel = true;
            live.epoch.eigenvalues = factor * initial;
            batch.reports.push_back(live);
        }
        history.append(batch);
        QWidget host;
        const LivePlotSet plots = createLivePlots(&host);
        LivePlot* plot = plots.spectrumHeatmap;
        host.resize(600, 400);
        plot->resize(600, 400);
        host.show(); // a hidden widget is laid out at no size: its colour bar's label would be elided away
        QVERIFY(QTest::qWaitForWindowExposed(&host));
        plot->refresh(history);
        plot->replot();
        QCPColorMap* map = nullptr;
        QCPColorScale* scale = nullptr;
        for (QCPLayoutElement* element : plot->plotLayout()->elements(true))
            if (auto* found = qobject_cast<QCPColorScale*>(element))
                scale = found;
        for (int i = 0; i < plot->plottableCount(); ++i)
            if (auto* found = qobject_cast<QCPColorMap*>(plot->plottable(i)))
                map = found;
        QVERIFY(map && scale);
        const int last = map->data()->keySize() - 1;
        QCOMPARE(last, 4); // epochs 0..4
        for (int k = 0; k < 4; ++k) {
            QCOMPARE(map->data()->cell(0, k), 0.0);
            QVERIFY(std::abs(map->data()->cell(last - 1, k) - std::log10(1.5)) < 1e-12);
            QVERIFY(std::abs(map->data()->cell(last, k) - std::log10(2.0)) < 1e-12);
        }
        QCOMPARE(scale->dataRange().lower, -scale->dataRange().upper); // white is "unchanged"
        QVERIFY(std::abs(scale->dataRange().upper - std::log10(2.0)) < 1e-12);
        QVERIFY2(scale->axis()->label().contains("(0)"), qPrintable(scale->axis()->label()));
        QVERIFY2(plot->shownTitle().startsWith("Spectrum change"), qPrintable(plot->shownTitle()));
    }

    void narrowColourBarsHaveDistinctTickLabels() {
        const int n = 5;
        Eigen::MatrixXd kernel(n, n);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j)
                kernel(i, j) = 0.1 + 1e-7 * std::abs(i - j); // 0.1000000 to 0.1000004
        Eigen::VectorXd eigenvalues(n);                      // log10 from 0.1000000 to 0.1000004
        for (int k = 0; k < n; ++k)
            eigenvalues(k) = std::pow(10.0, 0.1000004 - 1e-7 * k);
        const RunHistory history =
            historyWithSpectrum(eigenvalues, KernelPrecision::Double, LossKind::CrossEntropy, kernel);
        QWidget host;
        const LivePlotSet plots = createLivePlots(&host);
        for (LivePlot* plot : std::initializer_list<LivePlot*>{plots.kernelMatrix}) {
            plot->resize(500, 400);
            plot->refresh(history);
            plot->replot();
            QCPColorScale* scale = nullptr;
            for (QCPLayoutElement* element : plot->plotLayout()->elements(true))
                if (auto* found = qobject_cast<QCPColorScale*>(element))
                    scale = found;
            QVERIFY2(scale, qPrintable(plot->fileName()));
            QVERIFY2(scale->dataRange().size() < 1e-6, qPrintable(plot->fileName()));
            const QVector<QString> labels = scale->axis()->tickVectorLabels();
            QVERIFY2(labels.size() >= 3,
                     qPrintable(plot->fileName() + ": " +
                                QStringList(labels.begin(), labels.end()).join(" ") + " count " +
                                QString::number(scale->axis()->ticker()->tickCount()) + " h " +
                                QString::number(scale->axis()->axisRect()->height())));
            const QStringList shown(labels.begin(), labels.end());
            for (int i = 1; i < labels.size(); ++i)
                QVERIFY2(labels[i] != labels[i - 1], qPrintable(plot->fileName() + ": " + shown.join(" ")));
        }
    }

    void headlessFigureExportWorksOffscreen() {
#ifdef NTKVIZ_UNDER_TSAN
        // QProcess starts the child with clone(CLONE_VM | CLONE_VFORK). ThreadSanitizer's clone
        // interceptor runs its after-fork handling in the child, in memory it shares with this process,
        // so TSan takes this process for a forked child: it kills it at its next new thread ("starting
        // new threads after multi-threaded fork is not supported") and its state for this process can
        // no longer be trusted. So under TSan the child is not started from here; scripts/sanitize.sh
        // runs the same export command directly under TSan, and the other builds run this test as is.
        QSKIP("starting a child process blinds ThreadSanitizer in this process (see scripts/sanitize.sh)");
#endif
        QTemporaryDir dir;
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");
        env.remove("WAYLAND_DISPLAY");
        env.insert("QT_QPA_PLATFORM", "offscreen");
        process.setProcessEnvironment(env);
        process.start(NTKVIZ_GUI_PATH,
                      {"--export-figures", dir.path(), "--dataset", "circles", "--n", "30", "--width", "8",
                       "--epochs", "10", "--figure-size", "640x400", "--figure-scale", "1"});
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        for (const char* name : {"spectrum", "lambda_max", "trace", "loss", "spectrum_heatmap",
                                 "kernel_matrix", "predictions"}) {
            QImage image(dir.filePath(QString(name) + ".png"));
            QVERIFY2(!image.isNull(), name);
            QCOMPARE(image.size(), QSize(640, 400));
            QVERIFY2(distinctColours(image) > 20, name);
        }
    }

    void pinnedRunIsDrawnBesideTheNextOne() {
        MainWindow window(quickConfig(), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        const int firstLength = int(window.history().reports().size());
        QAction* pin = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text().contains("Pin as"))
                pin = action;
        QVERIFY(pin);
        pin->trigger();
        RunConfig longer = quickConfig();
        longer.epochs = 90;
        window.startRun(longer);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.history().outcome().has_value() && window.history().reports().size() == 91, 30000);
        auto* lambdaMax = window.livePlots().lambdaMax;
        lambdaMax->refresh(window.history());
        // Graph 0: the live run's lambda_max (91 epochs); graph 1: the pinned run's (61 epochs).
        QCOMPARE(lambdaMax->graph(0)->dataCount(), 91);
        QVERIFY(lambdaMax->graph(1)->visible());
        QCOMPARE(lambdaMax->graph(1)->dataCount(), firstLength);
        // The heatmap turns into the ratio to the pinned run (0 = no difference, a symmetric scale); the
        // kernel matrix shows the pinned run below the diagonal.
        auto* heatmap = window.livePlots().spectrumHeatmap;
        heatmap->refresh(window.history());
        heatmap->replot();
        auto* ratios = qobject_cast<QCPColorMap*>(heatmap->plottable(0));
        QVERIFY(ratios);
        QCOMPARE(ratios->dataRange().lower, -ratios->dataRange().upper);
        auto* kernel = window.livePlots().kernelMatrix;
        kernel->refresh(window.history());
        kernel->replot();
        auto* cells = qobject_cast<QCPColorMap*>(kernel->plottable(0));
        QVERIFY(cells && cells->data()->keySize() == 40);
        // Same data and seed, more epochs: the two triangles differ, but only a little.
        const double upper = cells->data()->cell(3, 1), lower = cells->data()->cell(1, 3);
        QVERIFY(std::isfinite(upper) && std::isfinite(lower) && upper != lower);
        // The theory views and the 2-D predictions draw the pinned run too.
        LivePlot* bias = window.livePlots().spectralBias;
        LivePlot* filter = window.livePlots().spectralFilter;
        LivePlot* predictions = window.livePlots().predictions;
        for (LivePlot* plot : {bias, filter, predictions}) {
            plot->refresh(window.history());
            plot->replot();
        }
        QVERIFY(bias->graph(16)->visible() && bias->graph(16)->dataCount() == firstLength);
        QVERIFY(filter->graph(3)->visible() && filter->graph(3)->dataCount() > 0);
        bool boundary = false;
        for (int i = 0; i < predictions->graphCount(); ++i)
            boundary = boundary || (predictions->graph(i)->name().contains("pinned") &&
                                    predictions->graph(i)->dataCount() > 0);
        QVERIFY(boundary);
    }

    // A slider storm: 1,000 setting changes in about 10 s. Exactly one run is left, the last one, and the
    // plots hold its reports only. (Leaks and races: this test also runs under ASan and TSan in CI.)
    void thousandSettingChangesLeaveOneLiveRun() {
        MainWindow window(quickConfig(), false);
        window.show();
        QElapsedTimer clock;
        clock.start();
        RunId last = 0;
        for (int i = 1; i <= 1000; ++i) {
            RunConfig c = quickConfig();
            c.width = 8 + i % 24;
            c.seed = std::uint64_t(i);
            window.startRun(c);
            last = window.liveRun().currentRunId();
            // Spread the changes over about 10 s, with the event loop running as it would under a mouse.
            const qint64 due = qint64(i) * 10 - clock.elapsed();
            QTest::qWait(int(std::max<qint64>(0, due)));
        }
        qInfo("1000 changes in %.1f s", clock.elapsed() / 1000.0);
        // An earlier run may have finished and be on screen until the last one's data are ready: wait for
        // the last run's outcome, and no other run may have been drawn after it.
        QTRY_VERIFY_WITH_TIMEOUT(window.history().runId() == last && window.history().outcome().has_value(),
                                 30000);
        QTest::qWait(200);
        QCOMPARE(window.liveRun().currentRunId(), last);
        QCOMPARE(window.history().runId(), last);
        QCOMPARE(window.history().info().config.seed, std::uint64_t(1000));
        QCOMPARE(int(window.history().reports().size()), 61);
        for (int e = 0; e <= 60; ++e)
            QCOMPARE(window.history().reports()[std::size_t(e)].epoch, e);
        auto* lambdaMax = window.livePlots().lambdaMax;
        lambdaMax->refresh(window.history());
        QCOMPARE(lambdaMax->graph(0)->dataCount(), 61);
    }

    // The window draws its plots one per event-loop turn; whenever a redraw is complete, the spectrum,
    // lambda_max, trace and loss plots all show the same epoch (reports arriving meanwhile wait for the next
    // redraw).
    void plotsOfOneRedrawShowTheSameEpoch() {
        RunConfig c = quickConfig();
        c.epochs = 100000;
        MainWindow window(c, false);
        window.show();
        const QRegularExpression epochInTitle("epoch (\\d+)");
        auto epochOf = [&](LivePlot* plot) {
            const auto match = epochInTitle.match(plot->shownTitle());
            return match.hasMatch() ? match.captured(1).toInt() : -1;
        };
        QTRY_VERIFY_WITH_TIMEOUT(window.history().reports().size() > 10, 30000);
        int checked = 0, lastEpoch = -1;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 3000) {
            QTest::qWait(3);
            if (window.isDrawing())
                continue;
            const LivePlotSet& plots = window.livePlots();
            const int epoch = epochOf(plots.spectrum);
            if (epoch < 0 || epoch == lastEpoch)
                continue;
            for (LivePlot* plot : {plots.lambdaMax, plots.trace, plots.loss})
                QCOMPARE(epochOf(plot), epoch);
            lastEpoch = epoch;
            ++checked;
        }
        QVERIFY2(checked >= 5, qPrintable(QString("only %1 redraws seen").arg(checked)));
    }

    // The theory tabs draw the measurement and the prediction side by side for a full-batch GD run.
    void theoryPlotsDrawMeasurementAndPrediction() {
        MainWindow window(quickConfig(), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        const int epochs = int(window.history().reports().size());
        QCOMPARE(epochs, 61);
        LivePlot* bias = window.livePlots().spectralBias;
        LivePlot* filter = window.livePlots().spectralFilter;
        LivePlot* linearized = window.livePlots().linearized;
        QCOMPARE(bias->fileName(), QString("spectral_bias"));
        QCOMPARE(filter->fileName(), QString("spectral_filter"));
        QCOMPARE(linearized->fileName(), QString("linearized"));
        for (LivePlot* plot : {bias, filter, linearized}) {
            plot->refresh(window.history());
            plot->replot();
        }
        // Direction k = 1: measured (graph 0) and predicted (graph 1) at every epoch, both finite.
        QVERIFY(bias->graph(0)->visible() && bias->graph(1)->visible());
        QVERIFY(bias->graph(0)->dataCount() > epochs / 2);
        QVERIFY(bias->graph(1)->dataCount() > epochs / 2);
        // Filter: measured dots and the early-stopping curve over the eigenvalues.
        QVERIFY(filter->graph(0)->dataCount() > 0);
        QVERIFY(filter->graph(1)->visible() && filter->graph(1)->dataCount() > 0);
        // The linearized network's losses beside the network's, every epoch.
        QCOMPARE(linearized->graph(2)->dataCount(), epochs);
        QCOMPARE(linearized->graph(3)->dataCount(), epochs);
        for (LivePlot* plot : {bias, filter, linearized})
            for (QCPAxis* axis : {plot->xAxis, plot->yAxis})
                QVERIFY2(axisDrawable(axis), qPrintable(plot->fileName()));
    }

    // Large n: the run computes the top eigenvalues only and says so; the controls keep "all".
    void largeRunsGetTopKAutomatically() {
        RunConfig big = quickConfig();
        big.trainSize = automaticTopKAbove + 100;
        big.testSize = 10;
        big.width = 8;
        big.epochs = 1;
        MainWindow window(quickConfig(), false);
        window.show();
        window.startRun(big);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.history().hasRun() && window.history().info().config.trainSize == big.trainSize, 60000);
        QCOMPARE(window.history().info().config.topK, automaticTopK);
        QCOMPARE(window.controls()->config().topK, 0);
        QVERIFY(window.statusBar()->currentMessage().contains("top 64"));
        QTRY_VERIFY_WITH_TIMEOUT(window.history().latestSpectrum().first >= 0, 60000);
        QCOMPARE(window.history().latestSpectrum().second.size(), Eigen::Index(automaticTopK));
    }

    void lastSettingsComeBackOnTheNextLaunch() {
        RunConfig custom = quickConfig();
        custom.width = 24;
        custom.l2 = 0.003;
        {
            MainWindow first(custom, false);
            first.show();
            QTRY_VERIFY_WITH_TIMEOUT(first.history().hasRun(), 30000);
            first.close(); // saves layout and settings
        }
        MainWindow second(quickConfig(), true);
        QCOMPARE(second.controls()->config().width, 24);
        QCOMPARE(second.controls()->config().l2, 0.003);
    }

    // The status line as it reads on screen: each shown item apart from the next, the measured speed
    // named as such (the toolbar's pace shows the same unit), and a run that cannot keep up with the pace
    // says so with both numbers.
    void statusLineReadsClearlyAndSaysWhenSlowerThanThePace() {
        MainWindow window(quickConfig(), false);
        window.resize(1366, 768);
        window.show();
        RunStatusLine* status = window.runStatus();
        QVERIFY(status);
        const auto shownText = [status] {
            QList<QLabel*> shown;
            for (QLabel* label : status->findChildren<QLabel*>())
                if (label->isVisible())
                    shown << label;
            std::sort(shown.begin(), shown.end(),
                      [](QLabel* a, QLabel* b) { return a->geometry().x() < b->geometry().x(); });
            QString text;
            for (QLabel* label : shown)
                text += label->text();
            return text;
        };
        RunConfig longRun = quickConfig();
        longRun.epochs = 100000;
        window.setPace(MainWindow::lecturePace);
        window.startRun(longRun);
        const QRegularExpression clear(
            R"(^epoch \d+ of 100000 · \d+(\.\d)? epochs/s measured · NTK \+ spectrum \d+\.\d ms · running$)");
        QTRY_VERIFY2_WITH_TIMEOUT(clear.match(shownText()).hasMatch(), qPrintable(shownText()), 30000);
        QCOMPARE(status->text(), shownText());

        // Far beyond what any machine trains with a 300-point kernel and its spectrum every epoch.
        RunConfig heavy = longRun;
        heavy.trainSize = 300;
        heavy.width = 128;
        heavy.ntkEvery = 1;
        window.setPace(SessionView::maxSpeedLimit);
        window.startRun(heavy);
        const QRegularExpression slower(R"(· slower than the pace: \d+(\.\d)? of 1000 epochs/s ·)");
        QTRY_VERIFY2_WITH_TIMEOUT(slower.match(shownText()).hasMatch(), qPrintable(shownText()), 60000);
        QVERIFY(!status->label(RunStatusLine::Speed)->styleSheet().isEmpty()); // marked, not only worded
        // Paused, the run is not slower than anything.
        QAction* pause = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text() == "&Pause")
                pause = action;
        QVERIFY(pause);
        pause->trigger();
        QTRY_VERIFY2_WITH_TIMEOUT(!shownText().contains("slower") && shownText().endsWith("paused"),
                                  qPrintable(shownText()), 10000);
        QVERIFY(status->label(RunStatusLine::Speed)->styleSheet().isEmpty());
    }

    void closingMidRunShutsDownPromptly() {
        RunConfig c = quickConfig();
        c.trainSize = 800;
        c.width = 256;
        c.epochs = 100000;
        QElapsedTimer clock;
        {
            MainWindow window(c, false);
            window.show();
            QTRY_VERIFY_WITH_TIMEOUT(!window.history().reports().empty(), 30000);
            window.close();
            clock.start();
        }
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString("%1 ms").arg(clock.elapsed())));
    }
};

QTEST_MAIN(AppTest)
#include "test_app.moc"
