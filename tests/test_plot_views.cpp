// What a lecturer meets on every plot, live and scene: a plain click leaves the axes following new data
// while a real drag holds the view (and says so, with a way back); a new run clears every plot to a waiting
// text instead of mixing runs; labels have no literal underscores and epoch axes integer ticks; the help
// panel explains the plots and controls; the pace box sets and remembers the epochs per second; slider
// stops are round numbers.
#include "control_panel.h"
#include "figure_export.h"
#include "help_panel.h"
#include "labeled_slider.h"
#include "live_plot_set.h"
#include "live_run.h"
#include "main_window.h"
#include "scene_plot_set.h"
#include "scene_results.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QMenuBar>
#include <QRegularExpression>
#include <QSlider>
#include <QTabWidget>
#include <QToolButton>
#include <QtTest>
#include <cmath>
#include <memory>

using namespace ntk;

namespace {

RunConfig quickConfig() {
    RunConfig c;
    c.dataset = DatasetKind::Moons;
    c.trainSize = 30;
    c.testSize = 20;
    c.width = 16;
    c.learningRate = 0.3;
    c.epochs = 20;
    return c;
}

// A run whose every plot has a different data range from quickConfig()'s.
RunConfig otherConfig() {
    RunConfig c = quickConfig();
    c.trainSize = 90;
    c.width = 64;
    c.learningRate = 1.0;
    c.noise = 0.3;
    c.epochs = 70;
    c.seed = 11;
    return c;
}

QList<QCPAxis*> shownAxes(NtkPlot* plot) {
    QList<QCPAxis*> axes;
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes())
            if (axis->visible())
                axes << axis;
    return axes;
}

QList<QCPRange> rangesOf(NtkPlot* plot) {
    QList<QCPRange> ranges;
    for (QCPAxis* axis : shownAxes(plot))
        ranges << axis->range();
    return ranges;
}

bool sameRanges(const QList<QCPRange>& a, const QList<QCPRange>& b) {
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        const double scale = std::max({std::abs(a[i].lower), std::abs(a[i].upper), 1e-300});
        if (std::abs(a[i].lower - b[i].lower) > 1e-9 * scale ||
            std::abs(a[i].upper - b[i].upper) > 1e-9 * scale)
            return false;
    }
    return true;
}

QString describe(const QList<QCPRange>& ranges) {
    QStringList parts;
    for (const QCPRange& r : ranges)
        parts << QString("[%1, %2]").arg(r.lower, 0, 'g', 6).arg(r.upper, 0, 'g', 6);
    return parts.join(' ');
}

QPoint centreOfAxes(NtkPlot* plot) {
    plot->replot(QCustomPlot::rpImmediateRefresh); // lays out the axis rect
    return plot->axisRect()->rect().center();
}

void dragAcross(NtkPlot* plot) {
    const QPoint from = centreOfAxes(plot);
    const QPoint to = from + QPoint(60, 40);
    QTest::mousePress(plot, Qt::LeftButton, {}, from);
    for (int step = 1; step <= 4; ++step) {
        const QPoint at = from + (to - from) * step / 4;
        QMouseEvent move(QEvent::MouseMove, at, plot->mapToGlobal(at), Qt::NoButton, Qt::LeftButton,
                         Qt::NoModifier);
        QApplication::sendEvent(plot, &move);
    }
    QTest::mouseRelease(plot, Qt::LeftButton, {}, to);
}

// Every text a plot shows as a name: title, note, axis labels (colour bars too) and legend entries.
QStringList shownNames(NtkPlot* plot) {
    QStringList names{plot->shownTitle(), plot->note()};
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes())
            if (axis->visible())
                names << axis->label();
    for (QCPLayoutElement* element : plot->plotLayout()->elements(true))
        if (auto* scale = qobject_cast<QCPColorScale*>(element))
            names << scale->axis()->label();
    for (int i = 0; i < plot->legend->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i)))
            names << item->plottable()->name();
    return names;
}

// The live plots as separate windows, with a LiveRun to feed them.
struct LiveFixture {
    LivePlotSet plots = createLivePlots(nullptr);
    std::vector<std::unique_ptr<LivePlot>> owned;
    LiveRun live;
    LiveFixture() {
        for (LivePlot* plot : plots.all()) {
            owned.emplace_back(plot);
            plot->resize(520, 400);
            plot->show();
        }
    }
    bool run(const RunConfig& config) {
        if (live.start(config))
            return false;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 60000) {
            QTest::qWait(10);
            const RunHistory& h = live.history();
            if (h.hasRun() && h.runId() == live.currentRunId() && h.outcome())
                break;
        }
        for (LivePlot* plot : plots.all())
            plot->refreshNow(live.history());
        return live.history().outcome().has_value();
    }
};

// A built-in scene shrunk to seconds, run for real.
SceneResults runScene(const QString& name, const RunConfig& size) {
    QString error;
    auto scene = findScene(name, error);
    SceneResults results;
    if (!scene)
        return results;
    results.scene = *scene;
    for (SceneRun& run : results.scene.runs) {
        // Two moons: installed everywhere, and fast. The scene's own setting still varies across runs.
        run.config.dataset = DatasetKind::Moons;
        run.config.trainSize = size.trainSize;
        run.config.testSize = size.testSize;
        if (results.scene.sweepKey != "width")
            run.config.width = size.width;
        run.config.epochs = size.epochs;
        run.config.ntkEvery = 1;
        run.config.seed = size.seed;
        run.config.noise = size.noise;
    }
    for (int i = 0; i < int(results.scene.runs.size()); ++i)
        results.add(runSceneRun(results.scene.runs[i], i));
    return results;
}

struct SceneFixture {
    ScenePlotSet plots = createScenePlots(nullptr);
    std::vector<std::unique_ptr<ComparisonPlot>> owned;
    SceneFixture() {
        for (ComparisonPlot* plot : plots.all()) {
            owned.emplace_back(plot);
            plot->resize(520, 400);
            plot->show();
        }
    }
    void show(const SceneResults& results) {
        for (ComparisonPlot* plot : plots.all()) {
            plot->refresh(results);
            plot->replot(QCustomPlot::rpImmediateRefresh);
        }
    }
};

} // namespace

class PlotViewsTest : public QObject {
    Q_OBJECT

    // For every plot: after `interact`, new data with other ranges arrive; the axes either follow them
    // (equal to what "Reset view" gives) or, when `held`, stay where the user put them.
    template <class Plot>
    void checkFollowing(const std::vector<Plot*>& plots, const std::function<void()>& showFirst,
                        const std::function<void()>& showSecond, bool drag) {
        showFirst();
        std::vector<QList<QCPRange>> first;
        for (Plot* plot : plots) {
            first.push_back(rangesOf(plot));
            if (drag)
                dragAcross(plot);
            else
                QTest::mouseClick(plot, Qt::LeftButton, {}, centreOfAxes(plot));
            QCOMPARE(plot->viewHeld(), drag);
            QCOMPARE(plot->heldViewNote().isEmpty(), !drag);
        }
        showSecond();
        for (size_t i = 0; i < plots.size(); ++i) {
            Plot* plot = plots[i];
            const QList<QCPRange> shown = rangesOf(plot);
            if (drag) {
                QVERIFY2(plot->viewHeld() && plot->heldViewNote().contains("double-click"),
                         qPrintable(plot->fileName()));
                // The way back: a double-click makes the plot follow the data again.
                QTest::mouseDClick(plot, Qt::LeftButton, {}, centreOfAxes(plot));
                QVERIFY2(!plot->viewHeld() && plot->heldViewNote().isEmpty(), qPrintable(plot->fileName()));
                continue;
            }
            plot->resetView();
            const QList<QCPRange> fitted = rangesOf(plot);
            // The second data set must move the fitted ranges, or this check could not fail.
            QVERIFY2(!sameRanges(first[i], fitted), qPrintable(plot->fileName() + ": " + describe(fitted)));
            QVERIFY2(sameRanges(shown, fitted), qPrintable(plot->fileName() + ": shows " + describe(shown) +
                                                           ", data " + describe(fitted)));
        }
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void livePlotsFollowNewRunsAfterAPlainClick() {
        LiveFixture f;
        const std::vector<LivePlot*> plots = f.plots.all();
        checkFollowing<LivePlot>(
            plots, [&] { QVERIFY(f.run(quickConfig())); }, [&] { QVERIFY(f.run(otherConfig())); }, false);
    }

    void livePlotsHoldADraggedViewAndSaySo() {
        LiveFixture f;
        checkFollowing<LivePlot>(
            f.plots.all(), [&] { QVERIFY(f.run(quickConfig())); }, [&] { QVERIFY(f.run(otherConfig())); },
            true);
    }

    void scenePlotsFollowNewDataAfterAPlainClick_data() {
        QTest::addColumn<QString>("scene");
        QTest::newRow("l2 sweep") << "01-l2-spectrum";
        QTest::newRow("explicit runs") << "14-early-stopping";
    }
    void scenePlotsFollowNewDataAfterAPlainClick() {
        QFETCH(QString, scene);
        const SceneResults small = runScene(scene, quickConfig());
        const SceneResults large = runScene(scene, otherConfig());
        QVERIFY(!small.runs.empty() && !large.runs.empty());
        SceneFixture f;
        checkFollowing<ComparisonPlot>(
            f.plots.all(), [&] { f.show(small); }, [&] { f.show(large); }, false);
    }

    void scenePlotsHoldADraggedViewAndSaySo() {
        const SceneResults small = runScene("01-l2-spectrum", quickConfig());
        const SceneResults large = runScene("01-l2-spectrum", otherConfig());
        SceneFixture f;
        checkFollowing<ComparisonPlot>(
            f.plots.all(), [&] { f.show(small); }, [&] { f.show(large); }, true);
    }

    // A wheel zoom is a real zoom: it holds the view.
    void wheelHoldsTheView() {
        LiveFixture f;
        QVERIFY(f.run(quickConfig()));
        for (LivePlot* plot : f.plots.all()) {
            const QPoint at = centreOfAxes(plot);
            QWheelEvent wheel(at, plot->mapToGlobal(at), {}, QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                              Qt::NoScrollPhase, false);
            QApplication::sendEvent(plot, &wheel);
            QVERIFY2(plot->viewHeld() && !plot->heldViewNote().isEmpty(), qPrintable(plot->fileName()));
        }
    }

    // After a settings change and before the new run's first report, no plot shows the replaced run: no
    // data, no legend, no epoch in its title; each says what it waits for, centred in the plot.
    void newRunsClearEveryPlotToAWaitingText() {
        MainWindow window(quickConfig(), false);
        window.resize(1366, 768);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(
            !window.isDrawing() && window.livePlots().loss->shownTitle().contains("epoch"), 5000);
        RunConfig larger = quickConfig();
        larger.trainSize = 400;
        window.startRun(larger);
        auto checkWaiting = [&](const QRegularExpression& expected) {
            for (LivePlot* plot : window.plots()) {
                const QString name = plot->fileName();
                QVERIFY2(plot->waitingText().contains(expected),
                         qPrintable(name + ": " + plot->waitingText()));
                QVERIFY2(!plot->shownTitle().contains(QRegularExpression("epoch \\d")),
                         qPrintable(name + ": " + plot->shownTitle()));
                QVERIFY2(plot->note().isEmpty(), qPrintable(name + ": " + plot->note()));
                for (int i = 0; i < plot->plottableCount(); ++i)
                    QVERIFY2(!plot->plottable(i)->realVisibility(), qPrintable(name));
                for (int i = 0; i < plot->itemCount(); ++i)
                    QVERIFY2(!plot->item(i)->realVisibility(), qPrintable(name));
                QVERIFY2(!plot->legend->realVisibility(), qPrintable(name));
                QVERIFY2(!plot->xAxis->realVisibility(), qPrintable(name)); // no ticks of the old range
            }
        };
        checkWaiting(QRegularExpression("^preparing data"));
        // Until the first report, frames keep the plots waiting (saying what they wait for as of the latest
        // frame); then every plot draws the new run.
        QElapsedTimer clock;
        clock.start();
        while (!window.history().latest() || window.history().runId() != window.liveRun().currentRunId() ||
               window.isDrawing()) {
            QVERIFY(clock.elapsed() < 60000);
            if (!window.history().latest() || window.history().runId() != window.liveRun().currentRunId())
                checkWaiting(
                    QRegularExpression("^(preparing data|computing the first kernel \\(n = 400\\))"));
            QVERIFY(!QTest::currentTestFailed());
            QTest::qWait(1);
        }
        QTRY_VERIFY_WITH_TIMEOUT(window.livePlots().spectrum->waitingText().isEmpty(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(window.livePlots().spectrum->graph(0)->realVisibility() &&
                                     window.livePlots().spectrum->graph(0)->dataCount() > 30,
                                 5000);
        // Every plot on screen draws the new run; hidden tabs keep waiting until they are shown.
        auto visibleStillWaiting = [&] {
            QStringList waiting;
            for (LivePlot* plot : window.plots())
                if (plot->isVisible() && !plot->waitingText().isEmpty())
                    waiting << plot->fileName();
            return waiting.join(' ');
        };
        QTRY_COMPARE_WITH_TIMEOUT(visibleStillWaiting(), QString(), 5000);
    }

    // A run whose kernel is solved as an operator (as above 10,000 points; forced here on a small run) shows
    // its exact top eigenvalues continued by the density down to k = n on a log index axis, and every plot,
    // on every tab, draws data or says in words why it cannot: no empty axes.
    void matrixFreeRunShowsItsWholeSpectrumAndNoEmptyAxes() {
        RunConfig config = quickConfig();
        config.dataset = DatasetKind::Blobs;
        config.trainSize = 300;
        config.epochs = 10;
        config.kernelSolver = KernelSolver::MatrixFree;
        MainWindow window(config, false);
        window.resize(1366, 768);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 60000);
        QVERIFY(window.history().latestWithKernel() && window.history().latestWithKernel()->matrixFree);
        // The last epoch's density reaches the plot with the next frame, which may come after the outcome.
        SpectrumPlot* spectrum = window.livePlots().spectrum;
        QTRY_COMPARE_WITH_TIMEOUT(spectrum->xAxis->scaleType(), QCPAxis::stLogarithmic, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isDrawing(), 5000);
        QCPGraph* whole = spectrum->graph(4);
        QVERIFY(whole->realVisibility());
        QVERIFY(whole->dataCount() > 20);
        // It continues well past the top eigenvalues, and never past n (less where eigenvalues are round-off
        // zeros, which a log axis cannot show).
        const double lastIndex = (whole->data()->constEnd() - 1)->key;
        const int topCount = spectrum->graph(0)->dataCount();
        QVERIFY2(lastIndex > 2 * topCount && lastIndex <= config.trainSize * 1.001,
                 qPrintable(
                     QString("the density's spectrum ends at k = %1 (top %2)").arg(lastIndex).arg(topCount)));
        // The density's top meets the exact top eigenvalue within the smoothing's blur.
        const double topFromDensity = whole->data()->constBegin()->value;
        const double lambdaMax = window.history().latestWithKernel()->kernel.lambdaMax;
        QVERIFY2(
            topFromDensity > lambdaMax / 2 && topFromDensity < lambdaMax * 2,
            qPrintable(QString("%1 from the density, lambda_max %2").arg(topFromDensity).arg(lambdaMax)));
        QStringList empty;
        for (QTabWidget* tabs : window.findChildren<QTabWidget*>())
            if (tabs->tabText(0) == "Live run")
                tabs->setCurrentIndex(0); // the live page; its detail tabs one after the other below
        for (QTabWidget* tabs : window.findChildren<QTabWidget*>())
            for (int i = 0; i < tabs->count() && tabs->tabText(0) != "Live run"; ++i) {
                tabs->setCurrentIndex(i);
                QTest::qWait(100); // the next frame draws the tab's plots
                QTRY_VERIFY_WITH_TIMEOUT(!window.isDrawing(), 5000);
                for (LivePlot* plot : window.plots()) {
                    if (!plot->isVisible())
                        continue;
                    if (!plot->waitingText().isEmpty()) { // a reason in words, not the run's start
                        if (plot->waitingText().contains(
                                QRegularExpression("^(preparing|computing|waiting)")))
                            empty << plot->fileName() + " (" + plot->waitingText() + ")";
                        continue;
                    }
                    bool drawsData = false;
                    for (int p = 0; p < plot->plottableCount(); ++p) {
                        QCPAbstractPlottable* drawn = plot->plottable(p);
                        if (!drawn->realVisibility())
                            continue;
                        if (auto* g = qobject_cast<QCPGraph*>(drawn))
                            drawsData |= g->dataCount() > 0;
                        else if (auto* map = qobject_cast<QCPColorMap*>(drawn))
                            drawsData |= map->data()->keySize() > 0;
                        else
                            drawsData = true;
                    }
                    if (!drawsData)
                        empty << plot->fileName();
                }
            }
        empty.removeDuplicates();
        QVERIFY2(empty.isEmpty(), qPrintable("empty axes: " + empty.join(", ")));
        QVERIFY2(window.livePlots().kernelMatrix->waitingText().contains("operator"),
                 qPrintable(window.livePlots().kernelMatrix->waitingText()));
    }

    // A long solve shows its progress in the status bar, and Stop ends the run there: no report arrives
    // after it, and the plots keep what they drew.
    void aLongSolveShowsProgressAndStops() {
        RunConfig config = quickConfig();
        config.dataset = DatasetKind::Blobs;
        config.trainSize = 4000;
        config.width = 256;
        config.epochs = 200;
        config.kernelSolver = KernelSolver::MatrixFree;
        config.densityEvery = 1; // every NTK epoch also solves a density: seconds of products each
        MainWindow window(config, false);
        window.resize(1366, 768);
        window.show();
        auto* progress = window.findChild<QWidget*>("solveProgress");
        QVERIFY(progress);
        QTRY_VERIFY_WITH_TIMEOUT(progress->isVisible(), 120000);
        QToolButton* stop = nullptr;
        for (QToolButton* button : progress->findChildren<QToolButton*>())
            if (button->text() == "Stop")
                stop = button;
        QVERIFY(stop && stop->isVisible());
        QTest::mouseClick(stop, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window.liveRun().stateText(), QString("stopped"), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!progress->isVisible(), 5000); // the solve was cancelled, not finished
        const std::size_t reports = window.history().reports().size();
        qInfo("stopped after %zu reports", reports);
        QTest::qWait(1500);
        QCOMPARE(window.history().reports().size(), reports);
        QVERIFY(window.history().reports().empty() ||
                window.history().reports().back().epoch < config.epochs);
    }

    // A run that cannot start leaves the previous run on screen, not a waiting text.
    void aFailedRunGoesBackToThePreviousPlots() {
        MainWindow window(quickConfig(), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 60000);
        RunConfig broken = quickConfig();
        broken.dataset = DatasetKind::Csv;
        broken.dataPath = "/nonexistent/ntkviz/data.csv";
        window.startRun(broken);
        QTRY_VERIFY_WITH_TIMEOUT(window.runStateText().startsWith("failed"), 30000);
        for (LivePlot* plot : window.plots())
            QVERIFY2(plot->waitingText().isEmpty(), qPrintable(plot->fileName()));
        QTRY_VERIFY_WITH_TIMEOUT(window.livePlots().loss->shownTitle().contains("epoch"), 5000);
    }

    void noLabelHasALiteralUnderscoreAndEpochTicksAreWhole() {
        RunConfig shortRun = quickConfig();
        shortRun.epochs = 3; // a fractional tick step is what a default ticker picks for 0..3
        LiveFixture live;
        QVERIFY(live.run(shortRun));
        const SceneResults scene = runScene("01-l2-spectrum", shortRun);
        SceneFixture scenes;
        scenes.show(scene);
        std::vector<NtkPlot*> plots;
        for (LivePlot* plot : live.plots.all())
            plots.push_back(plot);
        for (ComparisonPlot* plot : scenes.plots.all())
            plots.push_back(plot);
        int epochAxes = 0;
        for (NtkPlot* plot : plots) {
            plot->replot(QCustomPlot::rpImmediateRefresh);
            for (const QString& name : shownNames(plot)) {
                QVERIFY2(!name.contains('_'), qPrintable(plot->fileName() + ": " + name));
                // Scene settings read as the controls name them ("L2 strength λ₂"), not as keys ("l2").
                QVERIFY2(!name.contains(QRegularExpression("\\bl[12]\\b")),
                         qPrintable(plot->fileName() + ": " + name));
            }
            for (QCPAxis* axis : shownAxes(plot)) {
                if (!axis->label().startsWith("epoch"))
                    continue;
                ++epochAxes;
                QVERIFY(!axis->tickVector().isEmpty());
                for (double tick : axis->tickVector())
                    QVERIFY2(tick == std::round(tick),
                             qPrintable(QString("%1: epoch tick %2").arg(plot->fileName()).arg(tick)));
            }
        }
        QVERIFY(epochAxes >= 7); // lambda_max, trace, loss, heatmap, lazy/rich, bias, linearized, 2 scene
    }

    // Help -> "Explain the plots and controls", through the real menu: a panel with text that explains each
    // plot by its title, each control by its label, and the terms a lecture uses.
    // The eigenfunctions view after a short run: one map per eigenvector on 2-D data (finite values, colours
    // symmetric around 0), one curve on 1-D data, each panel headed with the eigenvalue it shows.
    void eigenfunctionsShowEachWithItsEigenvalue_data() {
        QTest::addColumn<int>("dataset");
        QTest::newRow("moons") << int(DatasetKind::Moons);
        QTest::newRow("sine") << int(DatasetKind::Sine);
    }

    void eigenfunctionsShowEachWithItsEigenvalue() {
        QFETCH(int, dataset);
        RunConfig config = quickConfig();
        config.dataset = DatasetKind(dataset);
        if (config.dataset == DatasetKind::Sine)
            config.loss = LossKind::Mse;
        RunHistory history;
        QVERIFY(runForFigures(config, history).outcome()->failure.isEmpty());
        const EpochReport* last = nullptr;
        for (const EpochReport& report : history.reports())
            if (report.eigenfunctions)
                last = &report;
        QVERIFY(last);
        const Eigenfunctions& functions = *last->eigenfunctions;
        QWidget host;
        EigenfunctionPlot* plot = createLivePlots(&host).eigenfunctions;
        plot->resize(800, 600);
        plot->refresh(history);
        plot->replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(plot->hasContent());
        QCOMPARE(plot->waitingText(), QString());
        QVERIFY2(plot->shownTitle().endsWith(QString("epoch %1").arg(last->epoch)),
                 qPrintable(plot->shownTitle()));
        const QStringList headings = plot->panelHeadings();
        QCOMPARE(headings.size(), eigenfunctionCount);
        static const QString subscripts = QStringLiteral("₁₂₃₄");
        for (int k = 0; k < eigenfunctionCount; ++k) {
            // "φ₁ (λ₁ = 123.4)": the number read back is the eigenvalue to the digits shown.
            const QRegularExpression pattern(QString("^φ%1 \\(λ%1 = ([0-9.e+-]+)\\)$").arg(subscripts[k]));
            const auto match = pattern.match(headings[k]);
            QVERIFY2(match.hasMatch(), qPrintable(headings[k]));
            const double shown = match.captured(1).toDouble();
            QVERIFY2(std::abs(shown - functions.eigenvalues[k]) <= 1e-3 * functions.eigenvalues[k],
                     qPrintable(headings[k]));
        }
        if (config.dataset == DatasetKind::Moons) {
            const QList<const QCPColorMap*> maps = plot->panelMaps();
            QCOMPARE(maps.size(), eigenfunctionCount);
            for (const QCPColorMap* map : maps) {
                QVERIFY(map->realVisibility());
                QCOMPARE(map->data()->keySize(), eigenfunctionGridResolution);
                double largest = 0.0;
                for (int x = 0; x < map->data()->keySize(); ++x)
                    for (int y = 0; y < map->data()->valueSize(); ++y) {
                        QVERIFY(std::isfinite(map->data()->cell(x, y)));
                        largest = std::max(largest, std::abs(map->data()->cell(x, y)));
                    }
                QVERIFY(largest > 0.0);
                QCOMPARE(map->dataRange().lower, -map->dataRange().upper);
                QVERIFY(map->dataRange().upper >= largest);
            }
        } else {
            // A curve per panel through the eigenvector's entries at the training points.
            int curves = 0;
            for (int i = 0; i < plot->graphCount(); ++i)
                if (plot->graph(i)->name().startsWith("φ")) {
                    ++curves;
                    for (const QCPGraphData& point : *plot->graph(i)->data())
                        QVERIFY(std::isfinite(point.value));
                }
            QCOMPARE(curves, eigenfunctionCount);
        }
    }

    void helpExplainsEveryPlotAndControl() {
        MainWindow window(quickConfig(), false);
        window.show();
        QAction* explain = nullptr;
        for (QAction* menu : window.menuBar()->actions())
            if (menu->menu())
                for (QAction* action : menu->menu()->actions())
                    if (action->text().contains("Explain the plots"))
                        explain = action;
        QVERIFY(explain);
        explain->trigger();
        auto* help = window.findChild<HelpPanel*>();
        QVERIFY(help);
        QTRY_VERIFY(help->isVisible());
        const QString text = help->toPlainText();
        QVERIFY2(text.size() > 2000, qPrintable(text));
        for (const char* term :
             {"4nO/η", "2nO/η", "decoupled outputs", "not a guarantee", "alignment", "kernel distance", "λk",
              "κk = λk/O", "condition number", "early-stopping filter", "ridge filter", "view held", "Pace"})
            QVERIFY2(text.contains(term, Qt::CaseInsensitive), qPrintable(term));
        for (LivePlot* plot : window.plots())
            QVERIFY2(text.contains(plot->title(), Qt::CaseInsensitive), qPrintable(plot->title()));
        for (QLabel* label : window.controls()->findChildren<QLabel*>()) {
            // "Noise (synthetic data)" -> "Noise", "L2 strength λ₂" -> "L2 strength"
            const QString name = label->text().section('(', 0, 0).section(QChar(0x03bb), 0, 0).trimmed();
            if (!name.isEmpty())
                QVERIFY2(text.contains(name, Qt::CaseInsensitive), qPrintable(name));
        }
    }

    // The pace box on the toolbar: a lecture-friendly default on a first launch, sets the run's epochs per
    // second, and comes back on the next launch.
    void paceBoxSetsAndRemembersEpochsPerSecond() {
        QSettings().remove("run/pace");
        {
            MainWindow window(quickConfig(), false);
            window.restorePace();
            window.show();
            auto* box = window.findChild<QComboBox*>("paceBox");
            QVERIFY(box && box->isVisibleTo(&window));
            QCOMPARE(window.pace(), MainWindow::lecturePace);
            QCOMPARE(window.liveRun().speedLimit(), MainWindow::lecturePace);
            QCOMPARE(box->currentData().toDouble(), MainWindow::lecturePace);
            // The default run lasts 15-30 s at the default pace.
            const double seconds = RunConfig{}.epochs / MainWindow::lecturePace;
            QVERIFY2(seconds >= 15 && seconds <= 30, qPrintable(QString::number(seconds)));
            // Picking 10 epochs/s in the box (as a user does) paces the run.
            const int index = box->findData(10.0);
            QVERIFY(index >= 0);
            box->setCurrentIndex(index);
            emit box->activated(index);
            QCOMPARE(window.liveRun().speedLimit(), 10.0);
            RunConfig longer = quickConfig();
            longer.epochs = 1000;
            window.startRun(longer);
            QTRY_VERIFY_WITH_TIMEOUT(window.history().latest() != nullptr, 30000);
            const int startEpoch = window.history().latest()->epoch;
            QTest::qWait(1500);
            const int done = window.history().latest()->epoch - startEpoch;
            QVERIFY2(done >= 5 && done <= 25, qPrintable(QString("%1 epochs in 1.5 s").arg(done)));
            window.close(); // saves the settings
        }
        MainWindow next(quickConfig(), false);
        next.restorePace();
        QCOMPARE(next.pace(), 10.0);
        QCOMPARE(next.findChild<QComboBox*>("paceBox")->currentData().toDouble(), 10.0);
    }

    // Every stop of every slider is a round number: powers of two on octave sliders (width, batch), at most
    // two significant digits elsewhere (no width 724 or 304, no n 1,137).
    void sliderStopsAreRoundNumbers() {
        ControlPanel panel;
        const auto sliders = panel.findChildren<LabeledSlider*>();
        QVERIFY(sliders.size() >= 10);
        for (LabeledSlider* slider : sliders) {
            auto* qslider = slider->findChild<QSlider*>();
            for (int position = qslider->minimum(); position <= qslider->maximum(); ++position) {
                qslider->setValue(position);
                const double v = slider->value();
                if (v == 0.0)
                    continue;
                const double magnitude = std::pow(10.0, std::floor(std::log10(std::abs(v))) - 1);
                const bool twoDigits = std::abs(v / magnitude - std::round(v / magnitude)) < 1e-6;
                const bool powerOfTwo = std::exp2(std::round(std::log2(v))) == v;
                QVERIFY2(twoDigits || powerOfTwo,
                         qPrintable(
                             QString("%1: %2").arg(slider->findChild<QLabel*>()->text()).arg(v, 0, 'g', 12)));
            }
        }
        // The width slider's stops are exactly the powers of two.
        for (LabeledSlider* slider : sliders) {
            if (!slider->findChild<QLabel*>()->text().startsWith("Width"))
                continue;
            auto* qslider = slider->findChild<QSlider*>();
            for (int position = qslider->minimum(); position <= qslider->maximum(); ++position) {
                qslider->setValue(position);
                QCOMPARE(std::exp2(std::round(std::log2(slider->value()))), slider->value());
            }
        }
    }
};

QTEST_MAIN(PlotViewsTest)
#include "test_plot_views.moc"
