#pragma once
// The main window: controls on the left, the live plots in the middle, status below. Settings go down to
// the training worker as a RunConfig; reports come back and are drawn from a coalescing timer.
#include "export_dialog.h"
#include "plot_style.h"
#include "run_history.h"
#include "scene.h"
#include "training_worker.h"

#include <QMainWindow>
#include <QTimer>

class QLabel;
class QTabWidget;
class QAction;
class QDockWidget;

namespace ntk {

class ControlPanel;
class SceneView;
class NtkPlot;
class LivePlot;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `startup` is the config to open with; restoreSettings loads the last session's layout and settings
    // instead (when there is one and `startup` was not given explicitly).
    MainWindow(const RunConfig& startup, bool restoreSettings, QWidget* parent = nullptr);
    ~MainWindow() override;

    const std::vector<LivePlot*>& plots() const { return plots_; }
    const RunHistory& history() const { return history_; }
    ControlPanel* controls() const { return controls_; }
    TrainingWorker& worker() { return worker_; }
    // Starts a run with `config` now (used by the control panel after its debounce, and by tests).
    void startRun(const RunConfig& config);
    QString runStateText() const;
    // Shows the scene page and runs every run of `scene` in the background.
    void openScene(const Scene& scene);
    SceneView* sceneView() const { return sceneView_; }
    static constexpr int redrawIntervalMs = 33; // at most ~30 redraws a second, however fast epochs arrive

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildLayout();
    void onRunStarted(const RunInfo& info);
    void onEpochs(const LiveBatch& batch);
    void onRunEnded(const RunOutcome& outcome);
    void onRunFailed(RunId id, const QString& reason);
    void redraw();
    void updateStatus();
    void setPresentationScale(double scale);
    void togglePresentationMode(bool on);
    void exportPlot(NtkPlot* plot);
    void exportAllPlots();
    void exportNumbers();
    void exportKernels();
    void loadConfig();
    void saveConfig();
    void chooseCsv();
    void saveSettings() const;
    void showError(const QString& title, const QString& message);

    TrainingWorker worker_;
    RunHistory history_;
    RunHistory reference_; // a pinned earlier run for A/B comparison
    ControlPanel* controls_ = nullptr;
    std::vector<LivePlot*> plots_;
    QTabWidget* detailTabs_ = nullptr;
    QTabWidget* pages_ = nullptr;
    SceneView* sceneView_ = nullptr;
    QDockWidget* helpDock_ = nullptr;
    QTimer restartDebounce_;
    QTimer redrawTimer_;
    bool dirty_ = false;
    RunConfig lastGoodConfig_;
    RunConfig pendingConfig_;
    PlotStyle style_;
    double baseFontPoints_ = 0.0;
    ExportSize exportSize_;
    QString lastExportDir_;
    QLabel* epochLabel_ = nullptr;
    QLabel* speedLabel_ = nullptr;
    QLabel* kernelTimeLabel_ = nullptr;
    QLabel* stateLabel_ = nullptr;
    QAction* playAction_ = nullptr;
    QAction* presentationAction_ = nullptr;
    QString failure_;
};

} // namespace ntk
