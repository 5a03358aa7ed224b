#include "scene_view.h"

#include "plot_grid.h"
#include "settings_table.h"

#include <QApplication>
#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonValue>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QResizeEvent>
#include <QVBoxLayout>

namespace ntk {
namespace {

// "dataset moons · n 30 · width 512 · … · varied: width": the settings every run of the scene shares, so
// nobody reads the live run's settings panel as the scene's. A setting the runs differ in is named as
// varied, not shown at the base value (scene 17 read "lr 0.5" beside runs at 0.5, 0.75 and 1).
QString sceneSettingsText(const Scene& scene) {
    QStringList parts, varied;
    if (!scene.sweepKey.isEmpty())
        varied << scene.sweepKey;
    if (!scene.seriesKey.isEmpty())
        varied << scene.seriesKey;
    for (const char* key :
         {"dataset", "n", "width", "depth", "activation", "loss", "lr", "epochs", "l2", "l1"})
        if (const SettingSpec* spec = findSetting(key)) {
            // The runs' own value where they share one (a scene cut down for a test changes every run).
            const QJsonValue value =
                spec->toJson(scene.runs.empty() ? scene.base : scene.runs.front().config);
            bool differs = false;
            for (const SceneRun& run : scene.runs)
                differs = differs || spec->toJson(run.config) != value;
            if (differs) {
                if (!varied.contains(key))
                    varied << key;
                continue;
            }
            parts << QString("%1 %2").arg(key, value.isString() ? value.toString()
                                                                : QString::number(value.toDouble(), 'g', 6));
        }
    const QString variedText =
        varied.isEmpty() ? QObject::tr("per run, see the legends") : varied.join(QObject::tr(" and "));
    return QObject::tr("This scene's settings: %1 · varied: %2").arg(parts.join(" · "), variedText);
}

} // namespace

SceneView::SceneView(QWidget* parent)
    : QWidget(parent)
    , runner_(this) {
    title_ = new QLabel(tr("Choose a scene from the Scenes menu."));
    applyTitleFont();
    caption_ = new QLabel;
    caption_->setWordWrap(true);
    settings_ = new QLabel;
    settings_->setWordWrap(true);
    // A palette, not a style sheet: a style sheet would pin the label's font, and the line would stay
    // small in presentation mode.
    QPalette grey = settings_->palette();
    grey.setColor(QPalette::WindowText, QColor(0x55, 0x55, 0x55));
    settings_->setPalette(grey);
    progress_ = new QProgressBar;
    progress_->setFormat(tr("%v of %m runs"));
    cancel_ = new QPushButton(tr("Stop"));
    cancel_->setToolTip(tr("Stop the runs that have not finished; finished ones stay on the plots"));
    metric_ = new QComboBox;
    for (SummaryMetric m : allSummaryMetrics())
        metric_->addItem(metricLabel(m), int(m));
    metric_->setToolTip(tr("The quantity the summary plot shows against the varied setting"));
    mode_ = new QComboBox;
    mode_->addItem(tr("λₘₐₓ against training loss"), int(TrajectoryPlot::Mode::LambdaVsLoss));
    mode_->addItem(tr("Eigenvalue distribution (CDF)"), int(TrajectoryPlot::Mode::Density));
    // The page's minimum width is the window's (the pages share one tab widget): long names wrap and the
    // combo boxes elide, so presentation text still fits a 1366-pixel window.
    title_->setWordWrap(true);
    // The page chooses the title's width (fitTextAndPlots); a wrapped label's own minimum, most of its
    // text's width, would hold the window wider than a 1366-pixel screen beside the controls.
    title_->setMinimumWidth(1);
    for (QComboBox* combo : {metric_, mode_}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(12);
    }
    // The controls in three groups: side by side beside the title, or one above the other in a column of
    // text beside the plots.
    progressRow_ = new QHBoxLayout;
    progressRow_->addWidget(progress_, 1);
    progressRow_->addWidget(cancel_);
    summaryRow_ = new QHBoxLayout;
    summaryRow_->addWidget(new QLabel(tr("Summary:")));
    summaryRow_->addWidget(metric_, 1);
    sixthRow_ = new QHBoxLayout;
    sixthRow_->addWidget(new QLabel(tr("Sixth plot:")));
    sixthRow_->addWidget(mode_, 1);
    controls_ = new QWidget;
    controlsLayout_ = new QBoxLayout(QBoxLayout::LeftToRight, controls_);
    controlsLayout_->setContentsMargins(0, 0, 0, 0);
    controlsLayout_->addLayout(progressRow_, 1);
    controlsLayout_->addLayout(summaryRow_);
    controlsLayout_->addLayout(sixthRow_);

    text_ = new QWidget;
    textLayout_ = new QVBoxLayout(text_);
    textLayout_->setContentsMargins(0, 0, 0, 0);
    titleRow_ = new QHBoxLayout;
    titleRow_->addWidget(title_, 1);
    textLayout_->addLayout(titleRow_);
    textLayout_->addWidget(caption_);
    textLayout_->addWidget(settings_);
    textLayout_->addWidget(controls_);
    textLayout_->addStretch(1); // beside the plots the text starts at the top

    // The scene's plots are meant to be seen together: the rows share the height rather than scroll.
    grid_ = new PlotGrid(3, PlotGrid::Rows::FitHeight);
    scenePlots_ = createScenePlots();
    plots_ = scenePlots_.all();
    for (ComparisonPlot* plot : plots_)
        grid_->addCell(plot);
    pageLayout_ = new QBoxLayout(QBoxLayout::TopToBottom, this);
    pageLayout_->addWidget(text_);
    pageLayout_->addWidget(grid_, 1);
    arrangeText({TextPlace::AboveControlsOwnRow, 0});

    connect(cancel_, &QPushButton::clicked, this, &SceneView::cancel);
    connect(metric_, &QComboBox::activated, this,
            [this] { scenePlots_.summary->setMetric(SummaryMetric(metric_->currentData().toInt())); });
    connect(mode_, &QComboBox::activated, this,
            [this] { scenePlots_.trajectory->setMode(TrajectoryPlot::Mode(mode_->currentData().toInt())); });
    connect(&runner_, &SweepRunner::runFinished, this, [this](quint64 id, const RunResult& result) {
        if (id != runner_.currentSweep())
            return;
        results_.add(result);
        dirty_ = true;
    });
    connect(&runner_, &SweepRunner::progress, this, [this](quint64 id, int done, int) {
        if (id == runner_.currentSweep())
            progress_->setValue(done);
    });
    connect(&runner_, &SweepRunner::sweepFinished, this, [this](quint64 id) {
        if (id != runner_.currentSweep())
            return;
        running_ = false;
        cancel_->setEnabled(false);
        dirty_ = true;
        emit finished();
    });
    redrawTimer_.setInterval(100);
    connect(&redrawTimer_, &QTimer::timeout, this, [this] {
        if (dirty_)
            redraw();
    });
    redrawTimer_.start();
    for (ComparisonPlot* plot : plots_)
        plot->refresh(results_);
}

void SceneView::start(const Scene& scene) {
    results_ = SceneResults{scene, {}};
    title_->setText(scene.name);
    caption_->setText(scene.caption);
    settings_->setText(sceneSettingsText(scene));
    fitTextAndPlots();
    progress_->setRange(0, int(scene.runs.size()));
    progress_->setValue(0);
    cancel_->setEnabled(true);
    running_ = true;
    applySceneView();
    runner_.start(scene);
    redraw();
}

QString SceneView::settingsText() const {
    return settings_->text();
}

void SceneView::cancel() {
    runner_.cancel();
    running_ = false;
    cancel_->setEnabled(false);
}

void SceneView::showResults(const SceneResults& results) {
    results_ = results;
    title_->setText(results.scene.name);
    caption_->setText(results.scene.caption);
    settings_->setText(sceneSettingsText(results.scene));
    fitTextAndPlots();
    progress_->setRange(0, int(results.scene.runs.size()));
    progress_->setValue(int(results.runs.size()));
    applySceneView();
    redraw();
}

void SceneView::applySceneView() {
    // "summary:frobenius" picks the summary metric, "density" the sixth plot's mode, "sharpness" the third's.
    auto mode = TrajectoryPlot::Mode::LambdaVsLoss;
    auto overTime = EpochOverlayPlot::Quantity::LambdaMax; // "sharpness": the third plot's quantity
    for (QString view : results_.scene.view.split(',')) {
        view = view.trimmed();
        if (view.startsWith("summary:"))
            if (const auto metrics = parseMetrics(view.section(':', 1))) {
                metric_->setCurrentIndex(metric_->findData(int(metrics->front())));
                scenePlots_.summary->setMetrics(*metrics);
            }
        if (view == "density")
            mode = TrajectoryPlot::Mode::Density;
        if (view == "sharpness")
            overTime = EpochOverlayPlot::Quantity::Sharpness;
    }
    scenePlots_.lambdaMax->setQuantity(overTime);
    mode_->setCurrentIndex(mode_->findData(int(mode)));
    scenePlots_.trajectory->setMode(mode);
    for (ComparisonPlot* plot : plots_)
        plot->resetView();
}

void SceneView::redraw() {
    dirty_ = false;
    for (ComparisonPlot* plot : plots_)
        plot->refresh(results_);
}

void SceneView::applyStyle(const PlotStyle& style) {
    applyTitleFont(); // the application's font has just changed with the presentation scale
    for (ComparisonPlot* plot : plots_)
        plot->applyStyle(style);
    fitTextAndPlots();
}

void SceneView::applyTitleFont() {
    // Set explicitly, the title's font no longer follows the application's: it is derived from it here.
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 1.3);
    font.setBold(true);
    title_->setFont(font);
}

void SceneView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fitTextAndPlots();
}

void SceneView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    // The page may hear of a new application font before its labels do: measure them once they have it.
    if (event->type() == QEvent::FontChange)
        QMetaObject::invokeMethod(this, &SceneView::fitTextAndPlots, Qt::QueuedConnection);
}

void SceneView::arrangeText(TextArrangement arrangement) {
    const bool beside = arrangement.place == TextPlace::Beside;
    pageLayout_->setDirection(beside ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom);
    controlsLayout_->setDirection(beside ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight);
    controlsLayout_->setStretchFactor(progressRow_, beside ? 0 : 1);
    controlsLayout_->setSpacing(controlsSpacing(beside));
    titleRow_->removeWidget(controls_);
    textLayout_->removeWidget(controls_);
    if (arrangement.place == TextPlace::AboveControlsBesideTitle) {
        titleRow_->addWidget(controls_, 0, Qt::AlignVCenter);
        // Not a fixed width: the window may shrink before the page fits itself to the new size, and a
        // width fixed for a wider one would hold it wider than the screen.
        controls_->setMinimumWidth(controlsSize(false).width());
        controls_->setMaximumWidth(controlsWidthBesideTitle(arrangement.width));
    } else {
        textLayout_->insertWidget(3, controls_); // under the title, caption and settings line
        controls_->setMinimumWidth(0);
        controls_->setMaximumWidth(QWIDGETSIZE_MAX);
    }
    // Sizes as measured by textHeight: the plots get the rest of the page.
    if (beside) {
        text_->setFixedWidth(arrangement.width);
        text_->setMinimumHeight(0);
        text_->setMaximumHeight(QWIDGETSIZE_MAX);
    } else {
        text_->setMinimumWidth(0);
        text_->setMaximumWidth(QWIDGETSIZE_MAX);
        if (arrangement.width > 0) // not yet laid out: no width to measure the text at
            text_->setFixedHeight(textHeight(arrangement));
    }
}

int SceneView::controlsSpacing(bool besidePlots) const {
    // Side by side, the groups need a gap wider than the one inside a group to read as separate.
    return besidePlots ? textLayout_->spacing() : fontMetrics().height();
}

QSize SceneView::controlsSize(bool besidePlots, bool preferred) const {
    QSize size(0, 0);
    for (const QLayout* row : {progressRow_, summaryRow_, sixthRow_}) {
        const int width = preferred ? row->sizeHint().width() : row->minimumSize().width();
        const int height = row->sizeHint().height();
        size = besidePlots ? QSize(std::max(size.width(), width), size.height() + height)
                           : QSize(size.width() + width, std::max(size.height(), height));
    }
    return besidePlots ? size + QSize(0, 2 * controlsSpacing(true))
                       : size + QSize(2 * controlsSpacing(false), 0);
}

int SceneView::controlsWidthBesideTitle(int width) const {
    // What the title leaves on its line, between what the controls need and what they would like.
    const int left = width - title_->sizeHint().width() - titleRow_->spacing();
    return std::clamp(left, controlsSize(false).width(), controlsSize(false, true).width());
}

int SceneView::textHeight(TextArrangement arrangement) const {
    const int spacing = textLayout_->spacing();
    const int width = arrangement.width;
    const int captionAndSettings =
        caption_->heightForWidth(width) + spacing + settings_->heightForWidth(width);
    if (arrangement.place == TextPlace::AboveControlsBesideTitle) {
        const int titleWidth = width - controlsWidthBesideTitle(width) - titleRow_->spacing();
        return std::max(title_->heightForWidth(titleWidth), controlsSize(false).height()) + spacing +
               captionAndSettings;
    }
    return title_->heightForWidth(width) + spacing + captionAndSettings + spacing +
           controlsSize(arrangement.place == TextPlace::Beside).height();
}

void SceneView::fitTextAndPlots() {
    // Six plots and a caption on one screen. Above the plots, the text takes height, of which a projector's
    // 1366×768 with presentation text has too little for two rows; in a column beside them it takes width,
    // of which a wide screen has more. Text goes above while the plots keep their aimed size there (the
    // layout people know from the live page), else wherever the plots get the larger cells.
    // The progress bar reads as a count, not a sliver, when the controls take no more width than they need;
    // in the current font, which grows with presentation mode.
    progress_->setMinimumWidth(progress_->fontMetrics().horizontalAdvance(tr("20 of 20 runs")) * 3 / 2);
    const QSize room = contentsRect().marginsRemoved(pageLayout_->contentsMargins()).size();
    const int spacing = pageLayout_->spacing();
    auto fitAbove = [&](TextArrangement arrangement) {
        return grid_->bestFit(QSize(room.width(), room.height() - textHeight(arrangement) - spacing));
    };
    TextArrangement best{TextPlace::AboveControlsOwnRow, room.width()};
    PlotGrid::Fit bestFit = fitAbove(best);
    // The controls beside the title save a row, if they leave the title about twenty characters.
    const TextArrangement besideTitle{TextPlace::AboveControlsBesideTitle, room.width()};
    const int titleRoom = room.width() - controlsSize(false).width() - titleRow_->spacing();
    if (titleRoom >= 20 * title_->fontMetrics().averageCharWidth())
        if (const PlotGrid::Fit fit = fitAbove(besideTitle); fit.betterThan(bestFit)) {
            best = besideTitle;
            bestFit = fit;
        }
    // Beside the plots: the narrowest column that holds all the text in the page's height, with lines of
    // at least about thirty characters and no wider than half the page.
    TextArrangement beside{TextPlace::Beside, room.width() / 2};
    const int narrowest = std::max(controlsSize(true).width(), 30 * fontMetrics().averageCharWidth());
    if (bestFit.score < 1.0 && narrowest <= beside.width && textHeight(beside) <= room.height()) {
        for (int low = narrowest; low < beside.width;) {
            const int middle = (low + beside.width) / 2;
            if (textHeight({TextPlace::Beside, middle}) <= room.height())
                beside.width = middle;
            else
                low = middle + 1;
        }
        if (grid_->bestFit(QSize(room.width() - beside.width - spacing, room.height())).betterThan(bestFit))
            best = beside;
    }
    arrangeText(best); // even where it stays: the text's height changes with its font
}

} // namespace ntk
