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
#include <QVBoxLayout>

namespace ntk {
namespace {

// "dataset moons · n 30 · width 512 · … · varied: width": the settings every run of the scene starts from,
// so nobody reads the live run's settings panel as the scene's.
QString sceneSettingsText(const Scene& scene) {
    QStringList parts;
    for (const char* key :
         {"dataset", "n", "width", "depth", "activation", "loss", "lr", "epochs", "l2", "l1"})
        if (const SettingSpec* spec = findSetting(key)) {
            const QJsonValue value = spec->toJson(scene.base);
            parts << QString("%1 %2").arg(key, value.isString() ? value.toString()
                                                                : QString::number(value.toDouble(), 'g', 6));
        }
    QString varied = scene.sweepKey;
    if (!scene.seriesKey.isEmpty())
        varied += QObject::tr(" and ") + scene.seriesKey;
    if (varied.isEmpty())
        varied = QObject::tr("per run, see the legends");
    return QObject::tr("This scene's settings: %1 · varied: %2").arg(parts.join(" · "), varied);
}

} // namespace

SceneView::SceneView(QWidget* parent)
    : QWidget(parent)
    , runner_(this) {
    auto* layout = new QVBoxLayout(this);
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
    auto* bar = new QHBoxLayout;
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
    for (QComboBox* combo : {metric_, mode_}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(12);
    }
    bar->addWidget(progress_, 1);
    bar->addWidget(cancel_);
    bar->addSpacing(20);
    bar->addWidget(new QLabel(tr("Summary:")));
    bar->addWidget(metric_);
    bar->addWidget(new QLabel(tr("Sixth plot:")));
    bar->addWidget(mode_);
    layout->addWidget(title_);
    layout->addWidget(caption_);
    layout->addWidget(settings_);
    layout->addLayout(bar);

    auto* grid = new PlotGrid(3);
    scenePlots_ = createScenePlots();
    plots_ = scenePlots_.all();
    for (ComparisonPlot* plot : plots_)
        grid->addCell(plot);
    layout->addWidget(grid, 1);

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
    progress_->setRange(0, int(results.scene.runs.size()));
    progress_->setValue(int(results.runs.size()));
    applySceneView();
    redraw();
}

void SceneView::applySceneView() {
    // "summary:frobenius" picks the summary metric, "density" the sixth plot's mode.
    auto mode = TrajectoryPlot::Mode::LambdaVsLoss;
    for (QString view : results_.scene.view.split(',')) {
        view = view.trimmed();
        if (view.startsWith("summary:"))
            if (const auto metrics = parseMetrics(view.section(':', 1))) {
                metric_->setCurrentIndex(metric_->findData(int(metrics->front())));
                scenePlots_.summary->setMetrics(*metrics);
            }
        if (view == "density")
            mode = TrajectoryPlot::Mode::Density;
    }
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
}

void SceneView::applyTitleFont() {
    // Set explicitly, the title's font no longer follows the application's: it is derived from it here.
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 1.3);
    font.setBold(true);
    title_->setFont(font);
}

} // namespace ntk
