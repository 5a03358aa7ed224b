// What a lecturer sees on the plots, measured in pixels offscreen: legends hide no data point and stay inside
// the widget (every live plot after real runs, every scene plot for every built-in scene, at 1366×768 and
// 1920×1080); the A/B heatmap draws map and colour bar with one diverging gradient and waits for the new run
// instead of showing a made-up range; scene pages wait without axes, show every category label, mark
// one-epoch series as points, say what their titles show, and have captions that name the colours drawn,
// the metric the summary shows, and nothing from the write-up students never saw.
#include "live_plot_set.h"
#include "main_window.h"
#include "plot_chooser.h"
#include "scene_view.h"
#include "sweep_runner.h"

#include <QComboBox>
#include <QDockWidget>
#include <QRegularExpression>
#include <QTabBar>
#include <QtTest>
#include <map>

using namespace ntk;

namespace {

const QList<QSize> windowSizes{QSize(1366, 768), QSize(1920, 1080)};

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

// A built-in scene cut down to cheap runs that still draw curves (a dozen epochs, a kernel every epoch).
Scene shrunk(Scene scene, int epochs = 12) {
    for (SceneRun& run : scene.runs) {
        run.config.epochs = epochs;
        run.config.ntkEvery = 1;
        run.config.trainSize = std::min(run.config.trainSize, 30);
        run.config.testSize = std::min(run.config.testSize, 20);
        run.config.width = std::min(run.config.width, 32);
        run.config.dataset = DatasetKind::Blobs; // the image data may not be installed where tests run
        run.config.blobClasses = 3;
    }
    return scene;
}

SceneResults runScene(const Scene& scene) {
    std::vector<std::pair<int, SceneRun>> runs;
    for (int i = 0; i < int(scene.runs.size()); ++i)
        runs.emplace_back(i, scene.runs[i]);
    SceneResults results{scene, {}};
    for (RunResult& r : runSceneRuns(runs, 2))
        results.add(std::move(r));
    return results;
}

std::vector<Scene> builtinScenes() {
    std::vector<Scene> scenes;
    for (const QString& path : builtinScenePaths()) {
        QString error;
        if (auto scene = loadScene(path, error))
            scenes.push_back(*scene);
    }
    return scenes;
}

// Every data point of a visible graph or curve that is drawn (inside the axes rect), in widget pixels.
std::vector<std::pair<QString, QPointF>> drawnPoints(QCustomPlot* plot) {
    std::vector<std::pair<QString, QPointF>> points;
    const QRectF axes = plot->axisRect()->rect();
    auto add = [&](QCPAbstractPlottable* p, double key, double value) {
        const QPointF at(p->keyAxis()->coordToPixel(key), p->valueAxis()->coordToPixel(value));
        if (std::isfinite(at.x()) && std::isfinite(at.y()) && axes.contains(at))
            points.emplace_back(p->name(), at);
    };
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot->plottable(i);
        if (!p->realVisibility())
            continue;
        if (auto* g = qobject_cast<QCPGraph*>(p))
            for (const QCPGraphData& d : *g->data())
                add(p, d.key, d.value);
        else if (auto* c = qobject_cast<QCPCurve*>(p))
            for (const QCPCurveData& d : *c->data())
                add(p, d.key, d.value);
    }
    return points;
}

// Empty when the plot's legend hides no drawn data point and lies inside the widget; else what is wrong.
QString legendProblem(QCustomPlot* plot, const QString& where) {
    plot->replot(QCustomPlot::rpImmediateRefresh); // lays the legend out at the widget's size
    if (!plot->legend->realVisibility() || plot->legend->itemCount() == 0)
        return {};
    const QRect legend = plot->legend->outerRect();
    if (!plot->rect().contains(legend))
        return QString("%1: legend %2,%3 %4x%5 outside the %6x%7 widget")
            .arg(where)
            .arg(legend.x())
            .arg(legend.y())
            .arg(legend.width())
            .arg(legend.height())
            .arg(plot->width())
            .arg(plot->height());
    for (const auto& [name, at] : drawnPoints(plot))
        if (legend.contains(at.toPoint()))
            return QString("%1: legend covers a point of \"%2\" at (%3, %4)")
                .arg(where, name)
                .arg(at.x())
                .arg(at.y());
    return {};
}

// Brings a plot that sits in a tab on screen, so it has its real size.
void showPlot(QWidget* plot) {
    for (QWidget* w = plot; w; w = w->parentWidget())
        if (auto* tabs =
                qobject_cast<QTabWidget*>(w->parentWidget() ? w->parentWidget()->parentWidget() : nullptr))
            if (tabs->indexOf(w) >= 0)
                tabs->setCurrentWidget(w);
    QCoreApplication::processEvents();
}

// The label QCustomPlot draws for a tick label string: "1e+02" in "eb" notation reads "10²", "2e+02" "2·10²".
QString drawnLabel(QString label) {
    static const QRegularExpression power("^([0-9.]+)e([+-]?)0*([0-9]+)$");
    const auto m = power.match(label);
    if (!m.hasMatch())
        return label;
    const QString exponent = (m.captured(2) == "-" ? "-" : "") + m.captured(3);
    return m.captured(1) == "1" ? "10" + exponent : m.captured(1) + "·10" + exponent;
}

// Empty when every label of the horizontal axis is drawn in full inside the widget and no two run
// together; else what is wrong. QCustomPlot silently skips a label that would cross the widget's edge.
QString horizontalTickProblem(QCustomPlot* plot, QCPAxis* axis, const QString& where) {
    if (!axis->visible() || !axis->tickLabels() || axis->tickLabelRotation() != 0)
        return {};
    if (axis->axisRect()->width() < 50) // a text wider than the plot squeezes the axes rect
        return QString("%1: axes rect only %2 px wide").arg(where).arg(axis->axisRect()->width());
    const QFontMetrics metrics(axis->tickLabelFont());
    const QVector<double> ticks = axis->tickVector();
    const QVector<QString> labels = axis->tickVectorLabels();
    double previousRight = -1e9;
    for (qsizetype i = 0; i < ticks.size(); ++i) {
        if (!axis->range().contains(ticks[i]) || labels[i].isEmpty())
            continue; // a category label left blank for room (every second one shown) draws nothing
        int width = 0;
        for (const QString& line : drawnLabel(labels[i]).split('\n'))
            width = std::max(width, metrics.horizontalAdvance(line));
        const double centre = axis->coordToPixel(ticks[i]);
        const double left = centre - width / 2.0, right = centre + width / 2.0;
        if (left < 0 || right > plot->width())
            return QString("%1: label \"%2\" of the %3 axis crosses the widget edge (%4..%5 of %6)")
                .arg(where, labels[i], axis->label())
                .arg(left)
                .arg(right)
                .arg(plot->width());
        if (left < previousRight + 3)
            return QString("%1: label \"%2\" of the %3 axis runs into its neighbour (%4..%5 after %6)")
                .arg(where, labels[i], axis->label())
                .arg(left)
                .arg(right)
                .arg(previousRight);
        previousRight = right;
    }
    return {};
}

// The names of every colour a plot draws: graph and curve pens and markers, straight lines and texts.
QSet<QString> drawnColourNames(QCustomPlot* plot) {
    QSet<QString> names;
    auto add = [&](const QColor& c) {
        if (c.alpha() > 0)
            for (const QString& word : PlotStyle::colorName(c).split(' '))
                names.insert(word);
    };
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot->plottable(i);
        if (!p->realVisibility())
            continue;
        if (auto* g = qobject_cast<QCPGraph*>(p); g && !g->data()->isEmpty()) {
            add(g->pen().color());
            if (!g->scatterStyle().isNone()) {
                add(g->scatterStyle().pen().color());
                add(g->scatterStyle().brush().color());
            }
        } else if (auto* c = qobject_cast<QCPCurve*>(p); c && !c->data()->isEmpty()) {
            add(c->pen().color());
        }
    }
    for (int i = 0; i < plot->itemCount(); ++i) {
        QCPAbstractItem* item = plot->item(i);
        if (!item->realVisibility())
            continue;
        if (auto* line = qobject_cast<QCPItemStraightLine*>(item))
            add(line->pen().color());
        else if (auto* text = qobject_cast<QCPItemText*>(item))
            add(text->color());
    }
    return names;
}

// With NTKVIZ_SHOT_DIR set, saves what a check looked at, for a person to look at too.
void saveShot(QWidget* widget, const QString& name) {
    const QString dir = qEnvironmentVariable("NTKVIZ_SHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(
            QDir(dir).filePath(QString(name).replace(QRegularExpression("[^A-Za-z0-9_.-]"), "_") + ".png"));
}

} // namespace

class PlotLayoutTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // Every live plot with a legend, after a real run and a second one beside it pinned (the most entries).
    void liveLegendsHideNoData() {
        MainWindow window(quickConfig(), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        QAction* pin = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text().contains("Pin as"))
                pin = action;
        QVERIFY(pin);
        pin->trigger();
        RunConfig next = quickConfig();
        next.l2 = 0.01;
        next.epochs = 80;
        window.startRun(next);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.history().outcome().has_value() && window.history().reports().size() == 81, 30000);
        int withLegend = 0;
        for (const QSize& size : windowSizes) {
            window.resize(size);
            QCoreApplication::processEvents();
            for (LivePlot* plot : window.plots()) {
                showPlot(plot);
                plot->refreshNow(window.history());
                const QString where =
                    QString("%1 at %2x%3").arg(plot->fileName()).arg(size.width()).arg(size.height());
                const QString problem = legendProblem(plot, where);
                QVERIFY2(problem.isEmpty(), qPrintable(problem));
                withLegend += plot->legend->realVisibility() ? 1 : 0;
            }
            saveShot(&window, QString("live-pinned-%1x%2").arg(size.width()).arg(size.height()));
        }
        QVERIFY(withLegend >= 8); // the check looked at legends, not at plots without one
    }

    // Every scene plot of every built-in scene, at both window sizes.
    void sceneLegendsHideNoDataAndCategoryLabelsShow() {
        SceneView view;
        view.show();
        int checked = 0;
        for (const Scene& scene : builtinScenes()) {
            const SceneResults results = runScene(shrunk(scene));
            view.showResults(results);
            for (const QSize& size : windowSizes) {
                view.resize(size.width() - 250, size.height() - 80); // beside the settings, under the menus
                QCoreApplication::processEvents();
                for (ComparisonPlot* plot : view.plots()) {
                    plot->refresh(view.results());
                    const QString where = QString("%1, %2 at %3x%4")
                                              .arg(scene.name, plot->fileName())
                                              .arg(size.width())
                                              .arg(size.height());
                    const QString problem = legendProblem(plot, where);
                    QVERIFY2(problem.isEmpty(), qPrintable(problem));
                    checked += plot->legend->realVisibility() ? 1 : 0;
                    // Category axes (run labels) and log axes: every label drawn, none running together.
                    const bool categories =
                        !qSharedPointerDynamicCast<QCPAxisTickerText>(plot->xAxis->ticker()).isNull();
                    if (categories || plot->xAxis->scaleType() == QCPAxis::stLogarithmic) {
                        const QString ticks = horizontalTickProblem(plot, plot->xAxis, where);
                        QVERIFY2(ticks.isEmpty(), qPrintable(ticks));
                    }
                    // Runs of a scene without a swept setting have no order: no line from one to the next.
                    if (categories && scene.sweepKey.isEmpty())
                        for (int i = 0; i < plot->graphCount(); ++i)
                            QVERIFY2(plot->graph(i)->lineStyle() == QCPGraph::lsNone, qPrintable(where));
                }
                saveShot(&view, QString("scene-%1-%2x%3")
                                    .arg(scene.name.section('.', 0, 0))
                                    .arg(size.width())
                                    .arg(size.height()));
            }
        }
        QVERIFY(checked > 50);
    }

    void heatmapComparesWithOneDivergingGradient() {
        MainWindow window(quickConfig(), false);
        window.resize(1366, 768);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        auto* heatmap = window.livePlots().spectrumHeatmap;
        QAction* pin = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text().contains("Pin as"))
                pin = action;
        pin->trigger();
        // Right after pinning the live run is the pinned one: a waiting text, no axes, no colour bar.
        heatmap->refreshNow(window.history());
        QVERIFY2(heatmap->waitingText().contains("waiting for the new run's first kernel"),
                 qPrintable(heatmap->waitingText()));
        for (QCPAxis* axis : heatmap->axisRect()->axes())
            QVERIFY(!axis->realVisibility());
        saveShot(&window, "heatmap-just-pinned");
        QCPColorScale* scale = nullptr;
        for (QCPLayoutElement* element : heatmap->plotLayout()->elements(false))
            if (auto* s = qobject_cast<QCPColorScale*>(element))
                scale = s;
        QVERIFY(scale);
        QVERIFY(!scale->realVisibility());

        RunConfig next = quickConfig();
        next.l2 = 0.05;
        window.startRun(next);
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value() &&
                                     window.history().runId() != window.reference().runId(),
                                 30000);
        heatmap->refreshNow(window.history());
        heatmap->replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(heatmap->waitingText().isEmpty());
        saveShot(&window, "heatmap-compared");
        QVERIFY(scale->realVisibility());
        auto* map = qobject_cast<QCPColorMap*>(heatmap->plottable(0));
        QVERIFY(map);
        // One gradient, centred at 0 (no difference) and white there.
        QVERIFY(scale->gradient() == map->gradient());
        QCOMPARE(map->dataRange().lower, -map->dataRange().upper);
        const QRgb centre = map->gradient().color(0.0, map->dataRange());
        QVERIFY(qRed(centre) > 235 && qGreen(centre) > 235 && qBlue(centre) > 235);
        // The bar as drawn: its middle is the map's colour for 0, its top the map's colour for the maximum.
        const QImage image = heatmap->toPixmap(heatmap->width(), heatmap->height(), 1.0).toImage();
        const QRect bar = scale->axis()->axisRect()->rect();
        auto near = [](QRgb a, QRgb b) {
            return std::abs(qRed(a) - qRed(b)) + std::abs(qGreen(a) - qGreen(b)) +
                       std::abs(qBlue(a) - qBlue(b)) <
                   40;
        };
        const QPoint middle(bar.center().x(), int(scale->axis()->coordToPixel(0.0)));
        QVERIFY2(near(image.pixel(middle), centre), "colour bar middle is not the map's colour for 0");
        const double top = map->dataRange().upper * 0.95;
        const QPoint upper(bar.center().x(), int(scale->axis()->coordToPixel(top)));
        QVERIFY2(near(image.pixel(upper), map->gradient().color(top, map->dataRange())),
                 "colour bar top is not the map's colour");
        // Tick labels beside the bar, not on it: the colour bar got the room its labels need, inside the
        // widget and right of the map (a squeezed layout column draws them over the bar). The title fits.
        QVERIFY2(scale->outerRect().width() >= scale->minimumOuterSizeHint().width(),
                 qPrintable(QString("colour bar %1 px wide, needs %2")
                                .arg(scale->outerRect().width())
                                .arg(scale->minimumOuterSizeHint().width())));
        QVERIFY(heatmap->rect().contains(scale->outerRect()));
        QVERIFY(heatmap->axisRect()->outerRect().right() <= scale->outerRect().left());
        const QFontMetrics titleMetrics(PlotStyle{}.titleFont());
        QVERIFY2(titleMetrics.horizontalAdvance(heatmap->shownTitle()) <= heatmap->width(),
                 qPrintable(heatmap->shownTitle()));
    }

    // Each pale line of a pinned run has its own legend entry, or one entry that says how to read them all.
    void pinnedLinesAreEachNamedInTheLegend() {
        MainWindow window(quickConfig(), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 30000);
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text().contains("Pin as"))
                action->trigger();
        RunConfig next = quickConfig();
        next.epochs = 70;
        window.startRun(next);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.history().outcome().has_value() && window.history().reports().size() == 71, 30000);
        int pinnedLines = 0;
        for (LivePlot* plot : window.plots()) {
            plot->refreshNow(window.history());
            QStringList entries;
            for (int i = 0; i < plot->legend->itemCount(); ++i)
                if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i)))
                    entries << item->plottable()->name();
            const bool sharedEntryExplained = std::any_of(
                entries.begin(), entries.end(), [](const QString& e) { return e.contains("each"); });
            for (int i = 0; i < plot->graphCount(); ++i) {
                QCPGraph* g = plot->graph(i);
                if (!g->visible() || g->data()->isEmpty() || !g->name().contains("pinned"))
                    continue;
                ++pinnedLines;
                QVERIFY2(plot->legend->hasItemWithPlottable(g) || sharedEntryExplained,
                         qPrintable(plot->fileName() + ": " + g->name()));
            }
            const qsizetype allEntries = entries.size();
            entries.removeDuplicates();
            QCOMPARE(entries.size(), allEntries); // no two entries with one name
        }
        QVERIFY(pinnedLines >= 8);
    }

    void captionsSpeakToStudentsAndNameWhatIsDrawn() {
        SceneView view;
        view.resize(1366 - 250, 768 - 80);
        view.show();
        static const QRegularExpression colourWord(
            "\\b(red|orange|yellow|green|blue|purple|pink|grey|gray|black|brown)\\b",
            QRegularExpression::CaseInsensitiveOption);
        // The summary plot must show the quantity a caption points to in it.
        const std::map<SummaryMetric, QStringList> phrases{
            {SummaryMetric::LambdaMax, {"largest eigenvalue", "λ_max"}},
            {SummaryMetric::Trace, {"trace"}},
            {SummaryMetric::Frobenius, {"Frobenius"}},
            {SummaryMetric::EffectiveRank, {"effective rank"}},
            {SummaryMetric::TopShare1, {"share of the trace"}},
            {SummaryMetric::KernelDistance, {"kernel distance", "moved from its initialization"}},
            {SummaryMetric::TrainLoss, {"train loss"}},
            {SummaryMetric::TestLoss, {"test loss"}},
            {SummaryMetric::TestAccuracy, {"accuracy"}}};
        const std::vector<Scene> scenes = builtinScenes();
        QVERIFY(scenes.size() >= 14);
        for (const Scene& scene : scenes) {
            QVERIFY2(!scene.caption.contains("seed", Qt::CaseInsensitive), qPrintable(scene.name));
            view.showResults(runScene(shrunk(scene, 3)));
            QSet<QString> drawn;
            for (ComparisonPlot* plot : view.plots()) {
                plot->replot(QCustomPlot::rpImmediateRefresh);
                drawn.unite(drawnColourNames(plot));
            }
            auto words = colourWord.globalMatch(scene.caption);
            while (words.hasNext()) {
                const QString word = words.next().captured(1).toLower().replace("gray", "grey");
                QVERIFY2(drawn.contains(word),
                         qPrintable(scene.name + ": caption says " + word +
                                    ", drawn: " + QStringList(drawn.values()).join(", ")));
            }
            const int summaryAt = int(scene.caption.indexOf("summary"));
            if (summaryAt >= 0) {
                const QString sentence = scene.caption.mid(scene.caption.lastIndexOf('.', summaryAt) + 1);
                const SummaryMetric shown = qobject_cast<SummaryPlot*>(view.plots()[4])->metric();
                const QStringList& names = phrases.at(shown);
                QVERIFY2(
                    std::any_of(
                        names.begin(), names.end(),
                        [&](const QString& p) { return scene.caption.contains(p, Qt::CaseInsensitive); }),
                    qPrintable(scene.name + ": the summary shows " + metricLabel(shown) + "; " + sentence));
            }
        }
    }

    // The settings line under a scene's caption names only what every run shares: a setting the runs vary is
    // listed as varied, not shown at a base value (scene 17 read "lr 0.5" beside runs at 0.5, 0.75 and 1).
    void sceneSettingsLineNamesWhatTheRunsVary() {
        for (const char* name : {"17-edge-of-stability", "12a-lambda-max-by-width"}) {
            QString error;
            const auto scene = findScene(name, error);
            QVERIFY2(scene, qPrintable(error));
            SceneView view;
            view.start(shrunk(*scene, 1));
            QString line;
            for (QLabel* label : view.findChildren<QLabel*>())
                if (label->text().startsWith("This scene's settings"))
                    line = label->text();
            QVERIFY2(!line.isEmpty(), name);
            const QString varied = QString(name).startsWith("17") ? "lr" : "width";
            QVERIFY2(line.endsWith("varied: " + varied), qPrintable(line));
            QVERIFY2(!line.contains(" " + varied + " "), qPrintable(line));
            QVERIFY2(line.contains("dataset "), qPrintable(line));
            view.cancel();
        }
    }

    // Before the first run of a scene finishes: a waiting text and no axes, ticks or colour bars.
    void scenePagesWaitWithoutAxes() {
        QString error;
        const auto scene = findScene("13-trace-vs-n", error);
        QVERIFY2(scene, qPrintable(error));
        SceneView view;
        view.resize(1116, 688);
        view.show();
        view.start(shrunk(*scene, 2));
        QCoreApplication::processEvents();
        saveShot(&view, "scene-waiting");
        for (ComparisonPlot* plot : view.plots()) {
            plot->replot(QCustomPlot::rpImmediateRefresh);
            QVERIFY2(!plot->waitingText().isEmpty(), qPrintable(plot->fileName()));
            for (QCPAxis* axis : plot->axisRect()->axes())
                QVERIFY2(!axis->realVisibility(), qPrintable(plot->fileName()));
            QVERIFY(!plot->legend->realVisibility());
        }
        QTRY_VERIFY_WITH_TIMEOUT(!view.running(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(view.plots().front()->waitingText().isEmpty(), 5000);
        for (ComparisonPlot* plot : view.plots())
            QVERIFY(plot->xAxis->realVisibility() && plot->yAxis->realVisibility());
    }

    // A scene of one epoch (the initial kernel): titles say which epoch, epoch ticks are whole numbers and
    // each run's two values are points, not a line that looks like a trend.
    void oneEpochScenesSayWhatTheyShow() {
        QString error;
        const auto scene = findScene("13-trace-vs-n", error);
        QVERIFY2(scene, qPrintable(error));
        QCOMPARE(scene->base.epochs, 1);
        SceneView view;
        view.resize(1116, 688);
        view.show();
        view.showResults(runScene(shrunk(*scene, 1)));
        saveShot(&view, "scene-13-one-epoch");
        for (ComparisonPlot* plot : view.plots()) {
            plot->replot(QCustomPlot::rpImmediateRefresh);
            QVERIFY2(!plot->shownTitle().contains("final", Qt::CaseInsensitive),
                     qPrintable(plot->shownTitle()));
            if (plot->xAxis->label() == "epoch")
                for (double tick : plot->xAxis->tickVector())
                    QVERIFY2(tick == std::round(tick),
                             qPrintable(plot->fileName() + QString(": tick %1").arg(tick)));
            for (int i = 0; i < plot->graphCount(); ++i)
                if (plot->xAxis->label() == "epoch" && plot->graph(i)->dataCount() > 0)
                    QVERIFY2(plot->graph(i)->lineStyle() == QCPGraph::lsNone &&
                                 !plot->graph(i)->scatterStyle().isNone(),
                             qPrintable(plot->fileName()));
        }
    }

    // Scene 14 as shipped: the early-stopped run's restored best epoch is marked, in the run's colour.
    void earlyStoppingMarksTheRestoredEpoch() {
        QString error;
        const auto scene = findScene("14-early-stopping", error);
        QVERIFY2(scene, qPrintable(error));
        SceneView view;
        view.resize(1116, 688);
        view.show();
        view.showResults(runScene(*scene));
        const RunResult& stopped = view.results().runs.at(1);
        QVERIFY2(stopped.state() == RunState::EarlyStopped, qPrintable(stopped.status()));
        saveShot(&view, "scene-14-early-stopping");
        for (ComparisonPlot* plot : view.plots()) {
            if (plot->xAxis->label() != "epoch")
                continue;
            plot->replot(QCustomPlot::rpImmediateRefresh);
            bool marked = false;
            for (int i = 0; i < plot->itemCount(); ++i)
                if (auto* line = qobject_cast<QCPItemStraightLine*>(plot->item(i)))
                    marked = marked || (line->point1->coords().x() == stopped.bestEpoch() &&
                                        PlotStyle::colorName(line->pen().color()) == "orange");
            QVERIFY2(marked, qPrintable(plot->fileName()));
        }
    }

    // The live settings panel steps aside on the Scene page, which lists the scene's own settings.
    // The lower-right panel lists every plot it holds; at both window sizes the list shows its longest
    // name in full inside the panel, and choosing an entry brings up that plot. (As a row of tabs the
    // last ones hid behind scroll arrows at 1366x768 and at 1920x1080.)
    void detailPanelListsEveryPlotAndFits() {
        MainWindow window(quickConfig(), false);
        window.show();
        auto* chooser = window.findChild<PlotChooser*>("detailPlots");
        QVERIFY(chooser);
        QTabWidget* tabs = chooser->tabs();
        QComboBox* list = chooser->list();
        QCOMPARE(list->count(), tabs->count());
        QVERIFY(tabs->indexOf(window.livePlots().sharpness) >= 0);
        for (const QSize& size : windowSizes) {
            window.resize(size);
            QCoreApplication::processEvents();
            QVERIFY(!tabs->tabBar()->isVisible());
            const QRect inPanel(list->mapTo(chooser, QPoint(0, 0)), list->size());
            QVERIFY2(chooser->rect().contains(inPanel),
                     qPrintable(QString("list at %1 outside the panel's %2x%3")
                                    .arg(inPanel.right())
                                    .arg(chooser->width())
                                    .arg(chooser->height())));
            int widest = 0;
            for (int i = 0; i < list->count(); ++i)
                widest = std::max(widest, list->fontMetrics().horizontalAdvance(list->itemText(i)));
            QVERIFY2(
                list->width() >= widest,
                qPrintable(QString("list %1 px, its longest name %2 px").arg(list->width()).arg(widest)));
            for (int i = 0; i < list->count(); ++i) {
                list->setCurrentIndex(i);
                QCoreApplication::processEvents();
                QCOMPARE(tabs->currentIndex(), i);
                QVERIFY(tabs->currentWidget()->isVisible());
                QVERIFY(tabs->currentWidget()->height() > chooser->height() / 2);
            }
            tabs->setCurrentIndex(0); // code that chooses a plot moves the list too
            QCOMPARE(list->currentIndex(), 0);
        }
    }

    void scenePageShowsTheScenesSettings() {
        MainWindow window(quickConfig(), false);
        window.show();
        auto* dock = window.findChild<QDockWidget*>("settingsDock");
        QVERIFY(dock && dock->isVisible());
        QString error;
        const auto scene = findScene("14-early-stopping", error);
        QVERIFY2(scene, qPrintable(error));
        window.openScene(shrunk(*scene, 2));
        QTRY_VERIFY(!dock->isVisible());
        // What the runs run with: this cut-down scene's width 32, not the file's 512.
        QVERIFY2(window.sceneView()->settingsText().contains("n 30 · width 32"),
                 qPrintable(window.sceneView()->settingsText()));
        auto* pages = window.findChild<QTabWidget*>("pages");
        QVERIFY(pages);
        pages->setCurrentIndex(0);
        QTRY_VERIFY(dock->isVisible());
        window.sceneView()->cancel();
    }
};

QTEST_MAIN(PlotLayoutTest)
#include "test_plot_layout.moc"
