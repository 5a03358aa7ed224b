// What a lecturer sees: for every live plot and the plots of every scene, at 1366×768 and 1920×1080, in
// normal and presentation mode, after a short and a long run and on the app's default run, each title's
// lines fit inside the plot, no two tick labels of an axis run together and no axis label is elided; every
// scene page shows all its plots, title, caption and settings line without scrolling; the four lecture
// sliders and every value box show without scrolling; slide figures have text of at least 2.5 % of
// the image height, the window and the headless export write the same images, and no exported figure is
// empty.
#include "control_panel.h"
#include "export_dialog.h"
#include "figure_export.h"
#include "labeled_slider.h"
#include "live_plot_set.h"
#include "main_window.h"
#include "plot_grid.h"
#include "scene_view.h"

#include "idx_reader.h"
#include "settings_cli.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QScrollArea>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

using namespace ntk;

#if defined(__SANITIZE_THREAD__)
#define NTKVIZ_UNDER_TSAN
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NTKVIZ_UNDER_TSAN
#endif
#endif

namespace {

const QList<QSize> windowSizes{QSize(1366, 768), QSize(1920, 1080)};

RunConfig lectureRun(int epochs) {
    RunConfig c;
    c.dataset = DatasetKind::Moons;
    c.trainSize = 60;
    c.testSize = 40;
    c.width = 64;
    c.learningRate = 0.3;
    c.epochs = epochs;
    c.ntkEvery = std::max(1, epochs / 50);
    return c;
}

QAction* presentationAction(MainWindow& window) {
    for (QAction* action : window.findChildren<QAction*>())
        if (action->text().remove('&') == "Presentation mode")
            return action;
    return nullptr;
}

// The window at `size` in normal or presentation mode. Presentation mode goes full screen; the offscreen
// screen is not a projector's, so the window is put back to `size` with the presentation text kept.
void showAs(MainWindow& window, QSize size, bool presentation) {
    QAction* action = presentationAction(window);
    QVERIFY(action);
    action->setChecked(presentation);
    window.setWindowState(Qt::WindowNoState);
    window.resize(size);
    QTest::qWait(50);
    QApplication::processEvents();
    QCOMPARE(window.size(), size);
}

QList<QCPAxis*> axesWithLabels(QCustomPlot* plot) {
    QList<QCPAxis*> axes;
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes())
            if (axis->visible() && axis->tickLabels())
                axes << axis;
    for (QCPLayoutElement* element : plot->plotLayout()->elements(true))
        if (auto* scale = qobject_cast<QCPColorScale*>(element); scale && scale->visible())
            axes << scale->axis();
    return axes;
}

QSizeF textSize(const QFont& font, const QString& text) {
    return QFontMetricsF(font).boundingRect(QRectF(0, 0, 1e6, 1e6), Qt::AlignLeft, text).size();
}

// Problems a person would see in `plot` as drawn now at its widget's size: a title or note line wider than
// the plot around its centre, a tick label outside the plot, or two tick labels of one axis closer than a
// space apart (horizontal) or overlapping (vertical).
QStringList layoutProblems(NtkPlot* plot, const QString& where) {
    plot->replot(QCustomPlot::rpImmediateRefresh);
    QStringList problems;
    const double width = plot->width(), height = plot->height();
    const QString name = where + " " + plot->fileName();
    // The layout uses the plot's width: an element with a small maximum width in the plot's column (an
    // empty legend grid) would squeeze everything into a strip at the left.
    QRect used;
    for (QCPLayoutElement* element : plot->plotLayout()->elements(false))
        if (element && element->visible())
            used |= element->outerRect();
    if (used.width() < 0.95 * width)
        problems
            << QString("%1 (%2 px wide): laid out in %3 px of it").arg(name).arg(width).arg(used.width());
    for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
        const auto* text = qobject_cast<QCPTextElement*>(element);
        if (!text || !text->visible() || text->text().isEmpty())
            continue;
        const double centre = text->rect().center().x();
        for (const QString& line : text->text().split('\n')) {
            const double half = QFontMetricsF(text->font()).horizontalAdvance(line) / 2.0;
            if (centre - half < 0.0 || centre + half > width)
                problems << QString("%1 (%2 px wide): text \"%3\" spans %4 to %5 px")
                                .arg(name)
                                .arg(width)
                                .arg(line)
                                .arg(centre - half, 0, 'f', 0)
                                .arg(centre + half, 0, 'f', 0);
        }
    }
    // Text items (marker labels, notes in the axes) are clipped to their axes rect: cut if they leave it.
    for (int i = 0; i < plot->itemCount(); ++i) {
        auto* text = qobject_cast<QCPItemText*>(plot->item(i));
        if (!text || !text->visible() || text->text().trimmed().isEmpty() || !text->clipToAxisRect())
            continue;
        const QRectF box(text->topLeft->pixelPosition(), text->bottomRight->pixelPosition());
        const QRectF clip = QRectF(text->clipAxisRect()->rect()).adjusted(-1, -1, 1, 1);
        if (!clip.contains(box))
            problems << QString("%1: text \"%2\" is cut at its axes' edge").arg(name, text->text().trimmed());
    }
    for (QCPAxis* axis : axesWithLabels(plot)) {
        // The axis label, centred on the axis, inside its axes rect's cell: not in the plot's title or
        // legend rows.
        const bool alongX = axis->orientation() == Qt::Horizontal;
        double labelHalf = 0.0;
        for (const QString& line : axis->label().split('\n'))
            labelHalf = std::max(labelHalf, QFontMetricsF(axis->labelFont()).horizontalAdvance(line) / 2.0);
        const QRect cell = axis->axisRect()->outerRect();
        const double axisCentre =
            alongX ? axis->axisRect()->rect().center().x() : axis->axisRect()->rect().center().y();
        const double cellStart = alongX ? cell.left() : cell.top();
        const double cellEnd = alongX ? cell.left() + cell.width() : cell.top() + cell.height();
        if (!axis->label().isEmpty() &&
            (axisCentre - labelHalf < std::max(0.0, cellStart) - 0.5 ||
             axisCentre + labelHalf > std::min(alongX ? width : height, cellEnd) + 0.5))
            problems << QString("%1: axis label \"%2\" leaves its axes' cell (%3 to %4 px)")
                            .arg(name, axis->label())
                            .arg(cellStart)
                            .arg(cellEnd);
        const QVector<double> ticks = axis->tickVector();
        const QVector<QString> labels = axis->tickVectorLabels();
        const bool horizontal = axis->orientation() == Qt::Horizontal;
        const double gap = horizontal ? QFontMetricsF(axis->tickLabelFont()).horizontalAdvance(' ') : 0.0;
        std::vector<std::pair<double, QString>> spans; // start along the axis, label
        std::vector<double> ends;
        for (qsizetype i = 0; i < std::min(ticks.size(), labels.size()); ++i) {
            if (labels[i].isEmpty())
                continue; // nothing drawn
            const QSizeF size = textSize(axis->tickLabelFont(), labels[i]);
            const double centre = axis->coordToPixel(ticks[i]);
            const double half = (horizontal ? size.width() : size.height()) / 2.0;
            if (centre - half < -0.5 || centre + half > (horizontal ? width : height) + 0.5)
                problems << QString("%1: tick label \"%2\" of the %3 axis leaves the plot")
                                .arg(name, labels[i], axis->label());
            spans.emplace_back(centre - half, labels[i]);
            ends.push_back(centre + half);
        }
        // A value axis with a single number says nothing about scale (a category axis may hold one run).
        const bool categories = !axis->ticker().dynamicCast<QCPAxisTickerText>().isNull();
        if (!categories && spans.size() < 2 && axis->range().size() > 0)
            problems
                << QString("%1: the %2 axis has %3 tick label(s)").arg(name, axis->label()).arg(spans.size());
        std::vector<std::size_t> order(spans.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::sort(order.begin(), order.end(),
                  [&](auto a, auto b) { return spans[a].first < spans[b].first; });
        for (std::size_t k = 1; k < order.size(); ++k)
            if (spans[order[k]].first < ends[order[k - 1]] + gap)
                problems << QString("%1 (%2x%3): tick labels \"%4\" and \"%5\" of the %6 axis run together")
                                .arg(name)
                                .arg(width)
                                .arg(height)
                                .arg(spans[order[k - 1]].second, spans[order[k]].second, axis->label());
    }
    return problems;
}

// Axis labels of `plot` that do not read in full as drawn now: elided ("eigenval…") rather than kept whole,
// on one line or two.
QStringList elidedAxisLabels(NtkPlot* plot, const QString& where) {
    QStringList problems;
    for (QCPAxis* axis : plot->labelledAxes()) {
        const QString full = plot->fullAxisLabel(axis);
        if (!full.isEmpty() && QString(axis->label()).replace('\n', ' ') != full)
            problems << QString("%1 %2: axis label \"%3\" shows as \"%4\"")
                            .arg(where, plot->fileName(), full, QString(axis->label()).replace('\n', "⏎"));
    }
    return problems;
}

// The pixel height of `font`'s em when drawn into an image (the widgets' 96 dpi offscreen).
double emPixels(const QFont& font) {
    return font.pixelSize() > 0 ? font.pixelSize() : font.pointSizeF() * 96.0 / 72.0;
}

// Every font `plot` draws text with: titles, axis and tick labels, colour bars, legend, text items.
QList<QFont> fontsInUse(QCustomPlot* plot) {
    QList<QFont> fonts;
    for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
        if (const auto* text = qobject_cast<QCPTextElement*>(element);
            text && text->visible() && !text->text().isEmpty())
            fonts << text->font();
    }
    for (QCPAxis* axis : axesWithLabels(plot)) {
        fonts << axis->tickLabelFont();
        if (!axis->label().isEmpty())
            fonts << axis->labelFont();
    }
    if (plot->legend->visible())
        for (int i = 0; i < plot->legend->itemCount(); ++i)
            if (const QCPAbstractLegendItem* item = plot->legend->item(i)) // a wrapped grid has empty cells
                fonts << item->font();
    for (int i = 0; i < plot->itemCount(); ++i)
        if (const auto* text = qobject_cast<QCPItemText*>(plot->item(i)); text && text->visible())
            fonts << text->font();
    return fonts;
}

// Share of the image's pixels in a saturated colour: data (curves, markers, heat maps) are drawn in the
// palette's colours, axes and text in black and grey. Zero for a frame with nothing in it.
double colouredShare(const QImage& image) {
    qint64 coloured = 0, all = 0;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2, ++all)
            coloured += QColor(image.pixel(x, y)).hsvSaturation() > 80 ? 1 : 0;
    return all ? double(coloured) / double(all) : 0.0;
}

QStringList emptyFigures(const QStringList& files) {
    QStringList problems;
    for (const QString& file : files) {
        const QImage image(file);
        if (image.isNull())
            problems << file + ": not an image";
        else if (colouredShare(image) < 0.001)
            problems << file + ": shows no data";
    }
    return problems;
}

// With NTKVIZ_SHOT_DIR set, saves what a check looked at, for a person to look at too.
void saveShot(QWidget* widget, const QString& name) {
    const QString dir = qEnvironmentVariable("NTKVIZ_SHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(
            QDir(dir).filePath(QString(name).replace(QRegularExpression("[^A-Za-z0-9_.-]"), "_") + ".png"));
}

} // namespace

class ReadableTest : public QObject {
    Q_OBJECT
    QFont applicationFont_;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        applicationFont_ = QApplication::font();
    }

    // A window closed in presentation mode leaves the application's text enlarged, which the next
    // window would take as its normal size.
    void cleanup() { QApplication::setFont(applicationFont_); }

    void livePlotsFitEverySizeAndMode_data() {
        QTest::addColumn<int>("epochs");
        QTest::addColumn<bool>("appDefault"); // the run ntkviz opens on: Fashion-MNIST, n = 200, width 128
        QTest::newRow("short run") << 12 << false;
        QTest::newRow("long run") << 600 << false;
        QTest::newRow("the app's default run") << 60 << true;
    }

    void livePlotsFitEverySizeAndMode() {
        QFETCH(int, epochs);
        QFETCH(bool, appDefault);
        RunConfig config = lectureRun(epochs);
        if (appDefault) {
            if (!QFileInfo::exists(QString::fromStdString(defaultFashionMnistDirectory())))
                QSKIP("Fashion-MNIST is not installed (dataset-fashion-mnist, scripts/install-deps.sh)");
            config = RunConfig{};
            config.epochs = epochs;
        }
        MainWindow window(config, false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isDrawing(), 10000);
        auto* details =
            qobject_cast<QTabWidget*>(window.livePlots().kernelMatrix->parentWidget()->parentWidget());
        QVERIFY(details);
        QStringList problems;
        for (const QSize size : windowSizes)
            for (const bool presentation : {false, true}) {
                showAs(window, size, presentation);
                const QString where = QString("%1x%2 %3, %4 epochs:")
                                          .arg(size.width())
                                          .arg(size.height())
                                          .arg(presentation ? "presentation" : "normal")
                                          .arg(epochs);
                for (int tab = 0; tab < details->count(); ++tab) {
                    details->setCurrentIndex(tab);
                    QApplication::processEvents();
                    for (LivePlot* plot : window.plots())
                        if (plot->isVisible()) {
                            plot->refreshNow(window.history());
                            problems << layoutProblems(plot, where);
                            // Text shrinks only where a plot is too small for it: the three plots a
                            // lecture is about keep text larger than in normal mode.
                            const bool main =
                                QStringList{"spectrum", "lambda_max", "trace"}.contains(plot->fileName());
                            problems << elidedAxisLabels(plot, where);
                            if (presentation && main && plot->textScale() < 0.85 * plot->style().scale)
                                problems << QString("%1 %2: text at scale %3 of %4")
                                                .arg(where, plot->fileName())
                                                .arg(plot->textScale())
                                                .arg(plot->style().scale);
                        }
                }
            }
        problems.removeDuplicates();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    }

    void scenePlotsFitEverySizeAndMode_data() {
        QTest::addColumn<QString>("sceneName");
        QTest::addColumn<bool>("onMoons"); // the Fashion-MNIST scenes run on two moons in the test
        QTest::newRow("14 early stopping") << "14-early-stopping" << false;
        QTest::newRow("05 width (on moons)") << "05-width-spectrum" << true;
    }

    void scenePlotsFitEverySizeAndMode() {
        QFETCH(QString, sceneName);
        QFETCH(bool, onMoons);
        QString error;
        std::optional<Scene> scene = findScene(sceneName, error);
        QVERIFY2(scene, qPrintable(error));
        if (onMoons)
            for (SceneRun& run : scene->runs) {
                run.config.dataset = DatasetKind::Moons;
                run.config.trainSize = 60;
                run.config.testSize = 40;
            }
        MainWindow window(lectureRun(12), false);
        window.show();
        window.openScene(*scene);
        QTRY_VERIFY_WITH_TIMEOUT(!window.sceneView()->running(), 180000);
        QStringList problems;
        for (const QSize size : windowSizes)
            for (const bool presentation : {false, true}) {
                showAs(window, size, presentation);
                QTest::qWait(150); // the scene page redraws on a timer
                const QString where = QString("%1 at %2x%3 %4:")
                                          .arg(sceneName)
                                          .arg(size.width())
                                          .arg(size.height())
                                          .arg(presentation ? "presentation" : "normal");
                for (ComparisonPlot* plot : window.sceneView()->plots())
                    problems << layoutProblems(plot, where) << elidedAxisLabels(plot, where);
            }
        problems.removeDuplicates();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    }

    // A lecturer shows a scene on a 1366×768 projector: every plot and the caption in view at once, without
    // scrolling, and each plot still as readable as above (titles, ticks, axis labels, legends).
    void everySceneFitsWithoutScrolling() {
        MainWindow window(lectureRun(12), false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 60000);
        SceneView* page = window.sceneView();
        auto* grid = page->findChild<PlotGrid*>();
        QVERIFY(grid);
        QStringList problems;
        int scenes = 0;
        for (const QString& path : builtinScenePaths()) {
            QString error;
            std::optional<Scene> scene = loadScene(path, error);
            QVERIFY2(scene, qPrintable(error));
            ++scenes;
            // On two moons (Fashion-MNIST may not be installed) and narrower: the layout depends on the
            // scene's names, caption, runs and epochs, which stay as shipped.
            for (SceneRun& run : scene->runs) {
                run.config.dataset = DatasetKind::Moons;
                run.config.trainSize = std::min(run.config.trainSize, 60);
                run.config.testSize = std::min(run.config.testSize, 40);
                run.config.width = std::min(run.config.width, 256);
            }
            window.openScene(*scene);
            QTRY_VERIFY_WITH_TIMEOUT(!page->running(), 180000);
            for (const QSize size : windowSizes)
                for (const bool presentation : {false, true}) {
                    showAs(window, size, presentation);
                    QTest::qWait(150); // the scene page redraws on a timer
                    const QString where = QString("%1 at %2x%3 %4:")
                                              .arg(scene->name)
                                              .arg(size.width())
                                              .arg(size.height())
                                              .arg(presentation ? "presentation" : "normal");
                    saveShot(&window, where);
                    // Laid out in the room it has: a page squeezed below its minimum clips its widgets.
                    if (page->minimumSizeHint().height() > page->height())
                        problems << QString("%1 the page needs %2 px of height, has %3")
                                        .arg(where)
                                        .arg(page->minimumSizeHint().height())
                                        .arg(page->height());
                    if (grid->verticalScrollBar()->isVisible() ||
                        grid->widget()->height() > grid->viewport()->height())
                        problems << QString("%1 the plots scroll (%2 px of plots in a %3 px view)")
                                        .arg(where)
                                        .arg(grid->widget()->height())
                                        .arg(grid->viewport()->height());
                    const QRect shown = page->rect();
                    for (ComparisonPlot* plot : page->plots()) {
                        const QRect inGrid(plot->mapTo(grid->viewport(), QPoint(0, 0)), plot->size());
                        if (!plot->isVisible() || !grid->viewport()->rect().contains(inGrid))
                            problems << QString("%1 %2 is not wholly in view (%3,%4 %5x%6 in %7x%8)")
                                            .arg(where, plot->fileName())
                                            .arg(inGrid.x())
                                            .arg(inGrid.y())
                                            .arg(inGrid.width())
                                            .arg(inGrid.height())
                                            .arg(grid->viewport()->width())
                                            .arg(grid->viewport()->height());
                        problems << layoutProblems(plot, where) << elidedAxisLabels(plot, where);
                        // A legend too large for its plot steps aside (the strip plot's coloured columns
                        // still name the runs); one that shows is whole, each entry too (QCustomPlot draws
                        // an entry wider than its plot cut at the widget's edge).
                        if (plot->legend->visible() && !plot->rect().contains(plot->legend->outerRect()))
                            problems
                                << QString("%1 %2: the legend leaves the plot").arg(where, plot->fileName());
                        for (int i = 0; plot->legend->visible() && i < plot->legend->itemCount(); ++i)
                            if (QCPAbstractLegendItem* item = plot->legend->item(i);
                                item && item->minimumOuterSizeHint().width() > plot->width())
                                problems << QString("%1 %2: legend entry %3 is %4 px wide, the plot %5")
                                                .arg(where, plot->fileName())
                                                .arg(i)
                                                .arg(item->minimumOuterSizeHint().width())
                                                .arg(plot->width());
                    }
                    // The title, caption and settings line read in full inside the page.
                    for (QLabel* label : page->findChildren<QLabel*>()) {
                        if (label->text().isEmpty())
                            continue;
                        const QRect box(label->mapTo(page, QPoint(0, 0)), label->size());
                        const bool whole = label->wordWrap()
                                               ? label->heightForWidth(label->width()) <= label->height()
                                               : label->sizeHint().width() <= label->width();
                        if (!label->isVisible() || !shown.contains(box) || !whole)
                            problems << QString("%1 \"%2\" does not show in full (%3x%4 at %5,%6)")
                                            .arg(where, label->text().left(40))
                                            .arg(label->width())
                                            .arg(label->height())
                                            .arg(box.x())
                                            .arg(box.y());
                    }
                }
        }
        QVERIFY(scenes >= 14);
        problems.removeDuplicates();
        for (const QString& problem : problems) // all of them: a failure message is cut at 1000 characters
            qWarning().noquote() << problem;
        QVERIFY2(problems.isEmpty(), qPrintable(QString("%1 problems, listed above").arg(problems.size())));
    }

    void everyLabelGrowsInPresentationMode() {
        // Text with a font of its own (a scene's title, a caption) does not follow the application's font:
        // each must still grow with presentation mode, or it stays laptop-sized on the projector.
        MainWindow window(lectureRun(12), false);
        window.resize(windowSizes.front());
        window.show();
        QString error;
        std::optional<Scene> scene = findScene("14-early-stopping", error);
        QVERIFY2(scene, qPrintable(error));
        for (SceneRun& run : scene->runs) {
            run.config.dataset = DatasetKind::Moons;
            run.config.trainSize = 30;
            run.config.epochs = 5;
        }
        window.openScene(*scene); // the scene page's title, caption and settings line exist from here
        QHash<QLabel*, double> normal;
        for (QLabel* label : window.findChildren<QLabel*>())
            if (!label->text().isEmpty())
                normal.insert(label, QFontInfo(label->font()).pointSizeF());
        QVERIFY(normal.size() > 10);
        showAs(window, windowSizes.front(), true);
        QStringList problems;
        for (auto it = normal.cbegin(); it != normal.cend(); ++it) {
            const double now = QFontInfo(it.key()->font()).pointSizeF();
            if (now < 1.4 * it.value())
                problems << QString("\"%1\": %2 pt in normal mode, %3 pt in presentation mode")
                                .arg(it.key()->text().left(40))
                                .arg(it.value())
                                .arg(now);
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
        QTRY_VERIFY_WITH_TIMEOUT(!window.sceneView()->running(), 120000);
    }

    void lectureSlidersAndValuesShowWithoutScrolling() {
        MainWindow window(lectureRun(12), false);
        window.resize(windowSizes.front()); // as ntkviz opens it
        window.show();
        QScrollArea* settings = nullptr;
        for (QScrollArea* area : window.findChildren<QScrollArea*>())
            if (area->widget() == window.controls())
                settings = area;
        QVERIFY(settings);
        QStringList problems;
        for (const QSize size : windowSizes)
            for (const bool presentation : {false, true}) {
                showAs(window, size, presentation);
                settings->verticalScrollBar()->setValue(0);
                QApplication::processEvents();
                const QString where = QString("%1x%2 %3")
                                          .arg(size.width())
                                          .arg(size.height())
                                          .arg(presentation ? "presentation" : "normal");
                const QRect view = settings->viewport()->rect();
                for (LabeledSlider* slider : window.controls()->findChildren<LabeledSlider*>()) {
                    const QString label = slider->findChild<QLabel*>()->text();
                    const QRect box = slider->geometry().translated(
                        slider->parentWidget()->mapTo(settings->viewport(), QPoint(0, 0)));
                    const bool lecture = label.startsWith("Training points n") || label.startsWith("Width") ||
                                         label.startsWith("L2") || label.startsWith("L1");
                    if (lecture && (size.height() == 768) && !view.contains(box))
                        problems << QString("%1: \"%2\" needs scrolling (at %3,%4, %5x%6; the panel shows "
                                            "%7x%8)")
                                        .arg(where, label)
                                        .arg(box.x())
                                        .arg(box.y())
                                        .arg(box.width())
                                        .arg(box.height())
                                        .arg(view.width())
                                        .arg(view.height());
                    // The value box: inside the panel's width, and wide enough for its value.
                    const auto* edit = slider->findChild<QLineEdit*>();
                    const QRect editBox =
                        QRect(edit->mapTo(settings->viewport(), QPoint(0, 0)), edit->size());
                    if (editBox.right() > view.right() || editBox.width() <= 0 ||
                        edit->fontMetrics().horizontalAdvance(edit->text()) > edit->contentsRect().width())
                        problems << QString("%1: the value box of \"%2\" is cut (box %3 to %4 px, panel %5 "
                                            "px)")
                                        .arg(where, label)
                                        .arg(editBox.left())
                                        .arg(editBox.right())
                                        .arg(view.right());
                }
            }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    }

    void slideFiguresHaveProjectorText_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QSize>("imageSize");
        QTest::newRow("slide 16:9") << "slide" << QSize(1920, 1080);
        QTest::newRow("slide 4:3") << "slide-4:3" << QSize(1440, 1080);
    }

    void slideFiguresHaveProjectorText() {
        QFETCH(QString, preset);
        QFETCH(QSize, imageSize);
        const auto chosen = parseFigurePreset(preset);
        QVERIFY(chosen);
        const FigureOptions options = figureOptions(*chosen);
        RunHistory history;
        QVERIFY(runForFigures(lectureRun(200), history).outcome()->failure.isEmpty());
        QWidget host;
        QTemporaryDir dir;
        QStringList problems, written;
        std::vector<NtkPlot*> plots;
        for (LivePlot* plot : createLivePlots(&host).all()) {
            plot->refresh(history);
            plots.push_back(plot);
        }
        // The scene plots too, from a finished scene (its runs on two moons, few epochs).
        QString error;
        std::optional<Scene> scene = findScene("14-early-stopping", error);
        QVERIFY2(scene, qPrintable(error));
        for (SceneRun& run : scene->runs)
            run.config.epochs = 150;
        SceneView sceneView;
        sceneView.start(*scene);
        QTRY_VERIFY_WITH_TIMEOUT(!sceneView.running(), 120000);
        for (ComparisonPlot* plot : sceneView.plots()) {
            plot->refresh(sceneView.results());
            plots.push_back(plot);
        }
        for (NtkPlot* plot : plots) {
            // The fonts as the figure is laid out for the image, not as the screen shows them.
            if (!plot->hasContent())
                continue;
            double smallest = 1e9;
            const auto connection = connect(plot, &QCustomPlot::afterLayout, this, [&] {
                if (plot->viewport().size() == options.size)
                    for (const QFont& font : fontsInUse(plot))
                        smallest = std::min(smallest, emPixels(font) * options.scale);
            });
            const QString path = dir.filePath(plot->fileName() + ".png");
            const auto failure = exportFigure(plot, path, options);
            disconnect(connection);
            QVERIFY2(!failure, qPrintable(failure.value_or(QString())));
            written << path;
            QCOMPARE(QImage(path).size(), imageSize);
            if (smallest < 0.025 * imageSize.height())
                problems << QString("%1: smallest text %2 px, %3 % of the image height")
                                .arg(plot->fileName())
                                .arg(smallest, 0, 'f', 1)
                                .arg(100.0 * smallest / imageSize.height(), 0, 'f', 2);
        }
        problems << emptyFigures(written);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    }

    void windowAndHeadlessWriteTheSameSlides() {
        MainWindow window(lectureRun(60), false);
        window.resize(1366, 768);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isDrawing(), 10000);
        QTemporaryDir fromWindow, headless;
        // The window's export dialog with the slide preset chosen, as a person would.
        ExportDialog dialog(ExportSize{});
        dialog.choosePreset(FigurePreset::Slide16x9);
        QStringList windowFiles, headlessFiles;
        QVERIFY(!window.exportAllPlotsTo(fromWindow.path(), dialog.size(), &windowFiles));
        QVERIFY(!exportFigures(window.history(), headless.path(), figureOptions(FigurePreset::Slide16x9),
                               &headlessFiles));
        QCOMPARE(windowFiles.size(), headlessFiles.size());
        QVERIFY(windowFiles.size() >= 8);
        for (int i = 0; i < windowFiles.size(); ++i) {
            const QImage a(windowFiles[i]), b(headlessFiles[i]);
            QCOMPARE(a.size(), QSize(1920, 1080));
            if (a != b) {
                QFile::copy(windowFiles[i], "/tmp/dbg-window.png");
                QFile::copy(headlessFiles[i], "/tmp/dbg-headless.png");
            } // DBG
            QVERIFY2(a == b, qPrintable(windowFiles[i] + " differs from " + headlessFiles[i]));
        }
    }

    void exportBeforeTheNextFrameShowsTheRun() {
        // Reports reach the run's history at once, the plots at the next frame: an export in between (a
        // loaded machine, a run that ends between two frames) must show the run, not the waiting texts.
        MainWindow window(lectureRun(30), false);
        window.resize(1366, 768);
        window.show();
        QObject::disconnect(&window.liveRun(), &LiveRun::frameDue, &window, nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 60000);
        QTemporaryDir fromWindow, headless;
        QStringList windowFiles, headlessFiles;
        QVERIFY(!window.exportAllPlotsTo(fromWindow.path(), ExportSize{}, &windowFiles));
        QVERIFY(!exportFigures(window.history(), headless.path(), ExportSize{}.figure(), &headlessFiles));
        QCOMPARE(windowFiles.size(), headlessFiles.size());
        const QStringList problems = emptyFigures(windowFiles);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    }

    void commandLineWritesTheSameSlides() {
#ifdef NTKVIZ_UNDER_TSAN
        QSKIP("a child process blinds ThreadSanitizer in this one (see test_app and scripts/sanitize.sh)");
#endif
        // `ntkviz --export-figures DIR --figure-preset slide` gives the images of the same run in process.
        const RunConfig config = lectureRun(60);
        QTemporaryDir command, inProcess;
        QProcess ntkviz;
        ntkviz.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        // The setting flags as "Copy setup as command line" writes them, after "ntkviz-cli train".
        const QStringList settingFlags = commandLineFor(config).split(' ', Qt::SkipEmptyParts).mid(2);
        ntkviz.start(NTKVIZ_GUI_PATH,
                     QStringList{"--export-figures", command.path(), "--figure-preset", "slide"} +
                         settingFlags);
        QVERIFY(ntkviz.waitForFinished(120000));
        QCOMPARE(ntkviz.exitCode(), 0);
        RunHistory history;
        QVERIFY(runForFigures(config, history).outcome()->failure.isEmpty());
        QStringList expected;
        QVERIFY(!exportFigures(history, inProcess.path(), figureOptions(FigurePreset::Slide16x9), &expected));
        for (const QString& file : expected) {
            const QString name = QFileInfo(file).fileName();
            const QImage a(QDir(command.path()).filePath(name)), b(file);
            QCOMPARE(a.size(), QSize(1920, 1080));
            QVERIFY2(a == b, qPrintable("ntkviz --figure-preset slide: " + name + " differs"));
        }
    }

    void noExportedFigureIsEmpty() {
        // Four input features, as images have many: the predictions plot has nothing to draw.
        QTemporaryDir dir;
        const QString csv = dir.filePath("four-features.csv");
        QFile file(csv);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QTextStream out(&file);
        out << "a,b,c,d,label\n";
        for (int i = 0; i < 80; ++i)
            out << (i % 7) * 0.3 << ',' << (i % 5) * 0.2 << ',' << (i % 3) * 0.7 << ',' << (i % 11) * 0.1
                << ',' << (i % 7 + i % 5 > 5 ? 1 : 0) << '\n';
        file.close();
        RunConfig config = lectureRun(40);
        config.dataset = DatasetKind::Csv;
        config.dataPath = csv.toStdString();
        config.testSize = 0;
        RunHistory history;
        const RunRecord record = runForFigures(config, history);
        QVERIFY2(record.outcome()->failure.isEmpty(), qPrintable(record.outcome()->failure));
        QStringList written, skipped;
        QVERIFY(!exportFigures(history, dir.filePath("figures"), figureOptions(FigurePreset::Slide16x9),
                               &written, &skipped));
        QVERIFY2(!written.contains(dir.filePath("figures/predictions.png")), qPrintable(written.join(' ')));
        QVERIFY2(skipped.join(' ').contains("predictions.png"), qPrintable(skipped.join(' ')));
        // The eigenfunctions too, saying why: four features are neither a plane, a line nor an image.
        QVERIFY2(!written.contains(dir.filePath("figures/eigenfunctions.png")),
                 qPrintable(written.join(' ')));
        QVERIFY2(skipped.join(' ').contains(
                     QRegularExpression("eigenfunctions.png: not written: .*has 4 features")),
                 qPrintable(skipped.join(' ')));
        const QStringList problems = emptyFigures(written);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));

        // The window's "export all" skips it too, and says so.
        MainWindow window(config, false);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.history().outcome().has_value(), 60000);
        QStringList windowWritten, windowSkipped;
        QVERIFY(
            !window.exportAllPlotsTo(dir.filePath("window"), ExportSize{}, &windowWritten, &windowSkipped));
        QVERIFY(!QFileInfo::exists(dir.filePath("window/predictions.png")));
        QVERIFY2(windowSkipped.join(' ').contains("predictions.png"), qPrintable(windowSkipped.join(' ')));
        const QStringList windowProblems = emptyFigures(windowWritten);
        QVERIFY2(windowProblems.isEmpty(), qPrintable(windowProblems.join('\n')));
    }
};

int main(int argc, char** argv) {
    // The offscreen platform's screen is 800×600 and would clamp the window sizes checked here: give it a
    // screen larger than a 1920×1080 projector.
    QTemporaryDir screenDir;
    if (qgetenv("QT_QPA_PLATFORM") == "offscreen") {
        QFile config(screenDir.filePath("screen.json"));
        if (!config.open(QIODevice::WriteOnly))
            return 1;
        config.write(R"({"screens": [{"name": "projector", "x": 0, "y": 0, "width": 2560, "height": 1440,
                         "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})");
        config.close();
        qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + config.fileName().toLocal8Bit());
    }
    QApplication app(argc, argv);
    ReadableTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_readable.moc"
