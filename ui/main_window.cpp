#include "main_window.h"

#include "about_dialog.h"
#include "animation_progress.h"
#include "atomic_write.h"
#include "control_panel.h"
#include "figure_export.h"
#include "help_panel.h"
#include "idx_reader.h"
#include "live_plot_set.h"
#include "plot_chooser.h"
#include "plot_grid.h"
#include "run_status_line.h"
#include "scene_summary.h"
#include "scene_view.h"
#include "settings_cli.h"
#include "settings_table.h"
#include "solve_progress_bar.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QThread>
#include <QToolBar>
#include <algorithm>

namespace ntk {
namespace {} // namespace

MainWindow::MainWindow(const RunConfig& startup, bool restoreSettings, QWidget* parent)
    : QMainWindow(parent) {
    setWindowTitle(tr("ntkviz — the neural tangent kernel, live"));
    baseFontPoints_ = std::max(QApplication::font().pointSizeF(), minimumFontPoints);
    QFont font = QApplication::font();
    font.setPointSizeF(baseFontPoints_);
    QApplication::setFont(font);
    lastExportDir_ = QDir::homePath();
    buildLayout();
    buildMenus();

    connect(&liveRun_, &LiveRun::runStarted, this, &MainWindow::onRunStarted);
    connect(&liveRun_, &LiveRun::runFailed, this, &MainWindow::onRunFailed);
    connect(&liveRun_, &LiveRun::notice, this,
            [this](const QString& message) { statusBar()->showMessage(message, 10000); });
    connect(&liveRun_, &LiveRun::frameDue, this, &MainWindow::redraw);
    connect(&liveRun_, &LiveRun::referenceChanged, this, &MainWindow::setupChanged);
    autosaveDebounce_.setSingleShot(true);
    autosaveDebounce_.setInterval(autosaveDelayMs);
    connect(&autosaveDebounce_, &QTimer::timeout, this, &MainWindow::autosaveNow);

    // Slider drags produce bursts of changes: restart once the burst pauses for a moment.
    restartDebounce_.setSingleShot(true);
    restartDebounce_.setInterval(60);
    connect(&restartDebounce_, &QTimer::timeout, this, [this] { startRun(pendingConfig_); });
    connect(controls_, &ControlPanel::configEdited, this, [this] {
        pendingConfig_ = controls_->config();
        restartDebounce_.start();
    });
    connect(controls_, &ControlPanel::csvRequested, this, &MainWindow::chooseCsv);
    connect(controls_, &ControlPanel::npyRequested, this, &MainWindow::chooseNpyDirectory);
    drawStep_.setSingleShot(true);
    drawStep_.setInterval(0);
    connect(&drawStep_, &QTimer::timeout, this, &MainWindow::drawNextPlot);

    RunConfig config = startup;
    QSettings settings;
    if (restoreSettings) {
        restoreGeometry(settings.value("window/geometry").toByteArray());
        restoreState(settings.value("window/state").toByteArray());
        presenterDock_->hide(); // the notes belong to a lecture, not to the layout a session restores
        const QJsonDocument saved = QJsonDocument::fromJson(settings.value("run/config").toByteArray());
        if (saved.isObject())
            applyJson(saved.object(), config, {}); // a stale or broken entry is ignored, not fatal
    }
    if (isImageDataset(config.dataset) && config.dataPath.empty() &&
        config.dataset == DatasetKind::FashionMnist &&
        !QFileInfo::exists(QString::fromStdString(defaultFashionMnistDirectory()))) {
        config.dataset = DatasetKind::Moons;
        config.trainSize = std::min(config.trainSize, 200);
        statusBar()->showMessage(
            tr("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist): showing "
               "two moons instead."),
            15000);
    }
    controls_->setConfig(config);
    startRun(config);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildLayout() {
    controls_ = new ControlPanel;
    auto* scroll = new QScrollArea;
    scroll->setWidget(controls_);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    settingsScroll_ = scroll;
    // The panel cannot scroll sideways: its width follows its content as the text grows, so every value
    // box stays in view.
    controls_->installEventFilter(this);
    fitSettingsWidth();
    auto* controlDock = new QDockWidget(tr("Settings"), this);
    controlDock->setObjectName("settingsDock");
    controlDock->setWidget(scroll);
    controlDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, controlDock);
    // As narrow as the panel allows (long names wrap): the width goes to the plots.
    resizeDocks({controlDock}, {settingsScroll_->minimumWidth()}, Qt::Horizontal);

    helpDock_ = new QDockWidget(tr("Help"), this);
    helpDock_->setObjectName("helpDock");
    helpDock_->setWidget(new HelpPanel);
    addDockWidget(Qt::RightDockWidgetArea, helpDock_);
    helpDock_->hide();

    // Spectrum, lambda_max and trace first: the three numbers a lecture is about.
    auto* central = new PlotGrid(3);
    livePlots_ = std::make_unique<LivePlotSet>(createLivePlots(central));
    plots_ = livePlots_->all();
    const LivePlotSet& p = *livePlots_;
    // Listed by what a lecture reaches for, the curvature after the kernel's own views.
    auto* details = new PlotChooser;
    details->setObjectName("detailPlots");
    details->addPlot(p.kernelMatrix, tr("Kernel matrix"));
    details->addPlot(p.predictions, tr("Predictions"));
    details->addPlot(p.eigenfunctions, tr("Eigenfunctions"));
    details->addPlot(p.lazyRich, tr("Lazy/rich"));
    details->addPlot(p.layerShares, tr("Layers"));
    details->addPlot(p.spectralBias, tr("Spectral bias"));
    details->addPlot(p.spectralFilter, tr("Filter"));
    details->addPlot(p.linearized, tr("Linearized"));
    details->addPlot(p.sharpness, tr("Sharpness"));
    detailTabs_ = details->tabs();
    for (QWidget* cell : std::initializer_list<QWidget*>{p.spectrum, p.lambdaMax, p.trace, p.loss,
                                                         p.spectrumHeatmap, details})
        central->addCell(cell);
    connect(detailTabs_, &QTabWidget::currentChanged, this, [this] { liveRun_.requestFrame(); });
    pages_ = new QTabWidget;
    pages_->setObjectName("pages"); // Live run and Scene; the central widget also holds the lecture banner
    pages_->addTab(central, tr("Live run"));
    sceneView_ = new SceneView;
    pages_->addTab(sceneView_, tr("Scene"));
    // While the Scene page is up the live plots are hidden and frames skip them: draw them on return.
    connect(pages_, &QTabWidget::currentChanged, this, [this] { liveRun_.requestFrame(); });
    // The settings panel sets up the live run, not the scene: beside a scene it would show the wrong
    // numbers (n 200 next to a scene of 30 points), so it steps aside while the Scene page is up and the
    // page lists the scene's own settings. It comes back as it was on the Live run page.
    connect(pages_, &QTabWidget::currentChanged, this, [this, controlDock] {
        const bool scene = pages_->currentWidget() == sceneView_;
        if (scene && controlDock->isVisible()) {
            controlDock->hide();
            settingsHiddenForScene_ = true;
        } else if (!scene && settingsHiddenForScene_) {
            controlDock->show();
            settingsHiddenForScene_ = false;
        }
    });
    setCentralWidget(withLectureBanner(pages_));
    for (NtkPlot* plot : plots_) {
        connect(plot, &NtkPlot::exportRequested, this, &MainWindow::exportPlot);
        connect(plot, &NtkPlot::animationExportRequested, this, &MainWindow::exportAnimation);
    }

    runStatus_ = new RunStatusLine;
    statusBar()->addPermanentWidget(runStatus_);
    // Long kernel solves (large n) show how far they are, with a way to stop.
    auto* solveProgress = new SolveProgressBar(liveRun_.solveProgress());
    solveProgress->setObjectName("solveProgress");
    statusBar()->addPermanentWidget(solveProgress);
    connect(solveProgress, &SolveProgressBar::stopRequested, this, [this] {
        liveRun_.stop();
        statusBar()->showMessage(tr("Stopped. Any new setting, or Restart (R), starts a new run."), 10000);
    });
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    if (watched == controls_ && event->type() == QEvent::LayoutRequest)
        fitSettingsWidth();
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::childEvent(QChildEvent* event) {
    QMainWindow::childEvent(event);
    // Qt elides dock tabs to the dock area's width ("Setti…", "Presenter n…" beside the settings panel).
    // Without eliding or scroll buttons a tab bar's minimum width holds every label, and the dock area
    // keeps at least that width.
    if (event->type() == QEvent::ChildPolished)
        if (auto* tabs = qobject_cast<QTabBar*>(event->child())) {
            tabs->setElideMode(Qt::ElideNone);
            tabs->setUsesScrollButtons(false);
        }
}

void MainWindow::fitSettingsWidth() {
    settingsScroll_->setMinimumWidth(controls_->minimumSizeHint().width() +
                                     settingsScroll_->verticalScrollBar()->sizeHint().width() +
                                     2 * settingsScroll_->frameWidth());
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    // Sessions are the app's documents, so they get the standard Open and Save keys.
    file->addAction(tr("&Open session…"), QKeySequence::Open, this, &MainWindow::openSessionDialog);
    file->addAction(tr("&Save session…"), QKeySequence::Save, this, &MainWindow::saveSessionDialog);
    file->addSeparator();
    file->addAction(tr("Open se&ttings…"), QKeySequence(tr("Ctrl+Shift+O")), this, &MainWindow::loadConfig);
    file->addAction(tr("Save settin&gs…"), QKeySequence(tr("Ctrl+Shift+S")), this, &MainWindow::saveConfig);
    file->addSeparator();
    QMenu* exportMenu = file->addMenu(tr("&Export plot"));
    for (NtkPlot* plot : plots_)
        exportMenu->addAction(plot->title() + "…", this, [this, plot] { exportPlot(plot); });
    file->addAction(tr("Export &all plots…"), this, &MainWindow::exportAllPlots);
    file->addAction(tr("Export the run's &numbers and arrays…"), this, &MainWindow::exportRun);
    file->addSeparator();
    file->addAction(tr("Copy setup as command &line"), QKeySequence(tr("Ctrl+Shift+C")), this, [this] {
        QGuiApplication::clipboard()->setText(commandLineFor(liveRun_.settings()));
        statusBar()->showMessage(tr("Copied: %1").arg(commandLineFor(liveRun_.settings())), 8000);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    playAction_ = run->addAction(tr("&Pause"));
    playAction_->setShortcut(Qt::Key_Space);
    playAction_->setCheckable(true);
    playAction_->setToolTip(tr("Pause or resume training (Space)"));
    connect(playAction_, &QAction::toggled, this, [this](bool paused) {
        liveRun_.setPaused(paused);
        playAction_->setText(paused ? tr("&Play") : tr("&Pause"));
        updateStatus();
    });
    QAction* step = run->addAction(tr("&Step one epoch"), this, [this] {
        if (!playAction_->isChecked())
            playAction_->setChecked(true);
        liveRun_.step();
    });
    step->setShortcut(Qt::Key_N);
    step->setToolTip(tr("Pause, then run exactly one more epoch (N)"));
    QAction* reset = run->addAction(tr("&Reset"), this, [this] { startRun(liveRun_.settings()); });
    reset->setShortcut(Qt::Key_R);
    reset->setToolTip(tr("Start the run again from its seeded initialization (R)"));
    QAction* pin = run->addAction(tr("Pin as &reference"), this, &MainWindow::pinReference);
    pin->setShortcut(QKeySequence(tr("Ctrl+P")));
    pin->setToolTip(
        tr("Keep this run on the plots, pale and dashed, to compare the next settings with it (A/B)"));
    run->addAction(tr("&Unpin reference"), this, &MainWindow::unpinReference);
    // Pace, in the Run menu and as a box on the toolbar where a lecturer finds it; both set the live run's
    // speed limit and follow each other.
    QMenu* speed = run->addMenu(tr("Speed &limit (pace)"));
    speedGroup_ = new QActionGroup(speed);
    paceBox_ = new QComboBox;
    paceBox_->setObjectName("paceBox");
    paceBox_->setToolTip(tr("Training epochs per second: slow enough to talk over the plots as they change, "
                            "or as fast as the machine can"));
    for (double rate : {2.0, 5.0, 10.0, lecturePace, 20.0, 50.0, 100.0, 200.0, 0.0}) {
        const QString text = rate == 0 ? tr("as fast as possible") : tr("%1 epochs/s").arg(rate);
        QAction* a = speed->addAction(text, this, [this, rate] { setSpeedLimit(rate); });
        a->setCheckable(true);
        a->setChecked(rate == 0);
        a->setData(rate);
        a->setActionGroup(speedGroup_);
        paceBox_->addItem(text, rate);
    }
    paceBox_->setCurrentIndex(paceBox_->findData(0.0));
    connect(paceBox_, &QComboBox::activated, this,
            [this] { setSpeedLimit(paceBox_->currentData().toDouble()); });

    QMenu* scenes = menuBar()->addMenu(tr("&Scenes"));
    for (const QString& path : builtinScenePaths()) {
        QString error;
        const auto scene = loadScene(path, error);
        if (!scene)
            continue; // a broken built-in scene is caught by the tests, not shown to users
        QAction* action = scenes->addAction(scene->name, this, [this, scene = *scene] { openScene(scene); });
        action->setToolTip(scene->caption);
        action->setStatusTip(scene->caption);
    }
    scenes->setToolTipsVisible(true);
    scenes->addSeparator();
    scenes->addAction(tr("Open scene &file…"), this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open scene"), lastExportDir_, tr("Scene (*.json)"));
        if (path.isEmpty())
            return;
        QString error;
        if (const auto scene = loadScene(path, error))
            openScene(*scene);
        else
            showError(tr("Cannot open scene"), error);
    });
    scenes->addAction(tr("Export scene plots…"), this, [this] {
        const auto size = ExportDialog::ask(this, exportSize_);
        if (!size)
            return;
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Export scene plots to"), lastExportDir_);
        if (dir.isEmpty())
            return;
        exportSize_ = *size;
        QStringList skipped;
        for (ComparisonPlot* plot : sceneView_->plots()) {
            if (!plot->hasContent()) {
                skipped << skippedFigureMessage(plot);
                continue;
            }
            if (auto error =
                    exportFigure(plot, QDir(dir).filePath(plot->fileName() + ".png"), size->figure())) {
                showError(tr("Export failed"), *error);
                return;
            }
        }
        if (auto error = writeSceneDirectory(dir, sceneView_->results().scene, sceneView_->results().runs))
            showError(tr("Export failed"), *error);
        else if (!skipped.isEmpty())
            statusBar()->showMessage(skipped.join("; "), 10000);
    });

    buildLectureMenu();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    presentationAction_ = view->addAction(tr("&Presentation mode"));
    presentationAction_->setCheckable(true);
    presentationAction_->setShortcut(Qt::Key_F11);
    connect(presentationAction_, &QAction::toggled, this, &MainWindow::togglePresentationMode);
    view->addAction(tr("&Larger text and lines"), QKeySequence::ZoomIn, this,
                    [this] { setPresentationScale(style_.scale * 1.15); });
    view->addAction(tr("&Smaller text and lines"), QKeySequence::ZoomOut, this,
                    [this] { setPresentationScale(style_.scale / 1.15); });
    view->addAction(tr("Reset all plot &views"), this, [this] {
        for (NtkPlot* plot : plots_)
            plot->resetView();
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* showHelp = helpDock_->toggleViewAction();
    showHelp->setText(tr("&Explain the plots and controls"));
    showHelp->setShortcut(QKeySequence::HelpContents);
    help->addAction(showHelp);
    help->addAction(tr("&About ntkviz"), this, [this] { showAboutDialog(this); });

    QToolBar* toolbar = addToolBar(tr("Run"));
    toolbar->setObjectName("runToolbar");
    toolbar->addAction(playAction_);
    toolbar->addAction(step);
    toolbar->addAction(reset);
    toolbar->addSeparator();
    auto* paceLabel = new QLabel(tr(" Pace: "));
    paceLabel->setBuddy(paceBox_);
    toolbar->addWidget(paceLabel);
    toolbar->addWidget(paceBox_);
    toolbar->addSeparator();
    toolbar->addAction(presentationAction_);
}

void MainWindow::openScene(const Scene& scene) {
    sceneName_ = sessionSceneName(scene.path);
    setupChanged();
    pages_->setCurrentWidget(sceneView_);
    sceneView_->start(scene);
    statusBar()->showMessage(tr("Running %1: %2 runs on %3 threads")
                                 .arg(scene.name)
                                 .arg(scene.runs.size())
                                 .arg(QThread::idealThreadCount()),
                             8000);
}

void MainWindow::startRun(const RunConfig& requested) {
    if (auto refusal = liveRun_.start(requested)) {
        showError(tr("Settings refused"), *refusal);
        controls_->setConfig(liveRun_.settings());
        return;
    }
    // The controls show what runs (the policy may switch the loss), but keep "all eigenvalues": only this
    // run uses the automatic top-k, so a smaller n later gets its full spectrum again.
    RunConfig shown = LiveRun::effectiveConfig(requested);
    shown.topK = requested.topK;
    controls_->setConfig(shown);
    awaitingFirstReport_ = true;
    showRunProgressInPlots();
    updateStatus();
}

bool MainWindow::showRunProgressInPlots() {
    if (!awaitingFirstReport_)
        return false;
    const RunHistory& history = liveRun_.history();
    QString text;
    if (liveRun_.preparing())
        text = tr("preparing data…");
    else if (!history.latest())
        text = history.info().config.ntkEvery > 0
                   ? tr("computing the first kernel (n = %1)…").arg(history.info().trainSize)
                   : tr("training the first epoch…");
    awaitingFirstReport_ = !text.isEmpty();
    // Once the run has reported, each plot drops its waiting text as the frame draws it (refreshNow in
    // drawNextPlot), so no plot shows the replaced run's data in between; hidden ones keep it until they
    // are shown and drawn.
    if (awaitingFirstReport_)
        for (LivePlot* plot : plots_)
            plot->setWaitingText(text);
    return awaitingFirstReport_;
}

void MainWindow::onRunStarted(const RunInfo& info) {
    setupChanged();
    detailTabs_->setCurrentIndex(info.inputDim <= 2 ? 1 : 0);
}

void MainWindow::onRunFailed(const QString& reason) {
    // The previous run's data stay on screen and the controls go back to the settings that produced them.
    awaitingFirstReport_ = false;
    for (LivePlot* plot : plots_)
        plot->setWaitingText({});
    liveRun_.requestFrame();
    controls_->setConfig(liveRun_.settings());
    showError(tr("This run cannot start"), reason);
    updateStatus();
}

void MainWindow::showError(const QString& title, const QString& message) {
    statusBar()->showMessage(message, 10000);
    // Window-modal and non-blocking: training and drawing go on underneath.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName("errorDialog");
    box->open();
}

void MainWindow::redraw() {
    // One plot per event-loop turn. Drawn together, the plots of an n = 2000 run held the event loop for
    // about 60 ms (the kernel matrix alone a third of it): a stall a user feels on a slider. Spread out,
    // input and timers get in between, and the longest stall is the slowest single plot. The live run
    // holds what arrives meanwhile, so every plot of the frame shows the same epoch.
    if (showRunProgressInPlots()) {
        updateStatus();
        return;
    }
    for (LivePlot* plot : plots_)
        if (plot->isVisible() &&
            std::find(plotsToDraw_.begin(), plotsToDraw_.end(), plot) == plotsToDraw_.end())
            plotsToDraw_.push_back(plot);
    if (!plotsToDraw_.empty())
        liveRun_.beginFrame();
    drawNextPlot();
    updateStatus();
}

void MainWindow::drawNextPlot() {
    if (plotsToDraw_.empty())
        return;
    if (awaitingFirstReport_) { // a run started mid-frame: the rest of the frame would show the replaced one
        plotsToDraw_.clear();
        liveRun_.endFrame();
        return;
    }
    LivePlot* plot = plotsToDraw_.front();
    plotsToDraw_.pop_front();
    if (plot->isVisible())
        plot->refreshNow(liveRun_.history()); // ends its waiting text
    if (!plotsToDraw_.empty()) {
        drawStep_.start();
        return;
    }
    liveRun_.endFrame();
}

QString MainWindow::runStateText() const {
    return liveRun_.stateText();
}

void MainWindow::updateStatus() {
    const RunHistory& history = liveRun_.history();
    const EpochReport* latest = history.latest();
    runStatus_->setItem(RunStatusLine::Epoch,
                        latest && history.hasRun()
                            ? tr("epoch %1 of %2").arg(latest->epoch).arg(history.info().config.epochs)
                            : QString());
    const bool running =
        history.hasRun() && !liveRun_.preparing() && !history.outcome() && !liveRun_.isPaused();
    const auto speed = RunStatusLine::speedText(history.epochsPerSecond(), liveRun_.speedLimit(), running);
    runStatus_->setItem(RunStatusLine::Speed, speed.text,
                        tr("Training epochs completed per second by the worker thread, over the last second; "
                           "the toolbar's Pace is the most it may do"),
                        speed.slowerThanPace);
    const EpochReport* kernel = history.latestWithKernel();
    runStatus_->setItem(RunStatusLine::KernelTime,
                        !kernel ? QString()
                        : kernel->kernelSeconds < 10.0
                            ? tr("NTK + spectrum %1 ms").arg(kernel->kernelSeconds * 1e3, 0, 'f', 1)
                            : tr("NTK + spectrum %1 s").arg(kernel->kernelSeconds, 0, 'f', 1),
                        tr("Time to build the NTK and compute its spectrum, on the latest NTK epoch"));
    runStatus_->setItem(RunStatusLine::State, runStateText());
}

void MainWindow::setPresentationScale(double scale) {
    style_.scale = std::clamp(scale, 0.7, 3.0);
    QFont font = QApplication::font();
    font.setPointSizeF(baseFontPoints_ * style_.scale);
    QApplication::setFont(font);
    for (NtkPlot* plot : plots_)
        plot->applyStyle(style_);
    sceneView_->applyStyle(style_);
    setupChanged();
}

void MainWindow::togglePresentationMode(bool on) {
    if (on)
        showFullScreen();
    else
        showNormal();
    setPresentationScale(on ? 1.6 : 1.0);
}

void MainWindow::exportPlot(NtkPlot* plot) {
    const auto size = ExportDialog::ask(this, exportSize_);
    if (!size)
        return;
    exportSize_ = *size;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export %1").arg(plot->title()), QDir(lastExportDir_).filePath(plot->fileName() + ".png"),
        tr("PNG image (*.png);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return;
    lastExportDir_ = QFileInfo(path).absolutePath();
    if (!plot->hasContent()) {
        showError(tr("Nothing to export"), skippedFigureMessage(plot));
        return;
    }
    if (const auto error = exportFigure(plot, path, size->figure()))
        showError(tr("Export failed"), *error);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path), 6000);
}

void MainWindow::exportAnimation(NtkPlot* plot) {
    // The size of one frame; the same defaults as `ntkviz --export-animation` without --figure-size.
    const auto size = ExportDialog::ask(
        this, {animationOptions_.size.width(), animationOptions_.size.height(), animationOptions_.scale});
    if (!size)
        return;
    animationOptions_.size = QSize(size->width, size->height);
    animationOptions_.scale = size->scale;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export %1 as an animation").arg(plot->title()),
                                     QDir(lastExportDir_).filePath(plot->fileName() + ".gif"),
                                     tr("Animated GIF (*.gif);;Folder of PNG frames (*)"));
    if (path.isEmpty())
        return;
    lastExportDir_ = QFileInfo(path).absolutePath();
    if (auto error = exportAnimationTo(plot->fileName(), path, animationOptions_)) {
        if (*error != "cancelled")
            showError(tr("Export failed"), *error);
    } else {
        statusBar()->showMessage(tr("Wrote %1").arg(path), 6000);
    }
}

std::optional<QString> MainWindow::exportAnimationTo(const QString& plotName, const QString& path,
                                                     const AnimationOptions& options) {
    return exportAnimationWithProgress(this, liveRun_.settings(), plotName, path, options);
}

void MainWindow::exportAllPlots() {
    const auto size = ExportDialog::ask(this, exportSize_);
    if (!size)
        return;
    exportSize_ = *size;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export all plots to"), lastExportDir_);
    if (dir.isEmpty())
        return;
    lastExportDir_ = dir;
    QStringList written, skipped;
    if (auto error = exportAllPlotsTo(dir, *size, &written, &skipped))
        showError(tr("Export failed"), *error);
    else
        statusBar()->showMessage(tr("Wrote %1 plots to %2").arg(written.size()).arg(dir) +
                                     (skipped.isEmpty() ? QString() : "; " + skipped.join("; ")),
                                 10000);
}

std::optional<QString> MainWindow::exportAllPlotsTo(const QString& directory, const ExportSize& size,
                                                    QStringList* written, QStringList* skipped) {
    if (!QDir().mkpath(directory))
        return directory + tr(": cannot create the folder");
    // The run's state now, not the last drawn frame's: reports (even the outcome) may have arrived since.
    const bool waiting = showRunProgressInPlots();
    for (LivePlot* plot : plots_) {
        // Hidden tabs may not have drawn the latest data; before a new run's first report the plots are
        // exported as they show, waiting, not with the replaced run.
        if (!waiting)
            plot->refresh(liveRun_.history());
        if (!plot->hasContent()) {
            if (skipped)
                *skipped << skippedFigureMessage(plot);
            continue;
        }
        const QString path = QDir(directory).filePath(plot->fileName() + ".png");
        if (auto error = exportFigure(plot, path, size.figure()))
            return error;
        if (written)
            *written << path;
    }
    return std::nullopt;
}

void MainWindow::exportRun() {
    if (!liveRun_.record().hasInfo())
        return;
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Export the run's numbers and arrays to"), lastExportDir_);
    if (dir.isEmpty())
        return;
    lastExportDir_ = dir;
    if (auto error = exportRunTo(dir))
        showError(tr("Export failed"), *error);
    else
        statusBar()->showMessage(
            tr("Wrote the run's numbers and arrays to %1 (as ntkviz-cli train --out)").arg(dir), 6000);
}

std::optional<QString> MainWindow::exportRunTo(const QString& directory) {
    return liveRun_.exportRun(directory);
}

void MainWindow::loadConfig() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open settings"), lastExportDir_, tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    const auto config = loadConfigFile(path, error, liveRun_.settings());
    if (!config) {
        showError(tr("Cannot open settings"), error);
        return;
    }
    startRun(*config);
}

void MainWindow::saveConfig() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save settings"), QDir(lastExportDir_).filePath("config.json"), tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    if (auto error = writeFileAtomically(path, configFileBytes(liveRun_.settings())))
        showError(tr("Cannot save settings"), *error);
}

void MainWindow::chooseCsv() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a CSV data file"), lastExportDir_,
                                                      tr("CSV (*.csv *.txt);;All files (*)"));
    restartDebounce_.stop();
    if (path.isEmpty()) {
        controls_->setConfig(liveRun_.settings());
        return;
    }
    RunConfig config = controls_->config();
    config.dataset = DatasetKind::Csv;
    config.dataPath = path.toStdString();
    startRun(config);
}

void MainWindow::chooseNpyDirectory() {
    const QString path = QFileDialog::getExistingDirectory(
        this, tr("Open a directory of NumPy arrays (x_train.npy, y_train.npy)"), lastExportDir_);
    restartDebounce_.stop();
    if (path.isEmpty()) {
        controls_->setConfig(liveRun_.settings());
        return;
    }
    RunConfig config = controls_->config();
    config.dataset = DatasetKind::Npy;
    config.dataPath = path.toStdString();
    startRun(config);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("run/config",
                      QJsonDocument(configToJson(liveRun_.settings())).toJson(QJsonDocument::Compact));
    settings.setValue("run/pace", liveRun_.speedLimit());
}

void MainWindow::restorePace() {
    bool ok = false;
    const double saved = QSettings().value("run/pace", lecturePace).toDouble(&ok);
    setSpeedLimit(ok && saved >= 0.0 && saved <= SessionView::maxSpeedLimit ? saved : lecturePace);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    autosaveDebounce_.stop();
    if (recovery_) {
        autosaveNow();
        recovery_->markCleanExit();
    }
    // Everything the user owns is on disk now: the process may end at once if a solve cannot be stopped.
    liveRun_.cancel();
    event->accept();
}

} // namespace ntk
