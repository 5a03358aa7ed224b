#pragma once
// The main window: controls on the left, the live plots in the middle, status below. It lays out, holds
// the menus and dialogs, and draws; the run itself is a LiveRun (runtime/run/live_run.h) it observes:
// settings go down to it as a RunConfig, and the window draws a frame whenever it says one is due.
#include "animation_export.h"
#include "crash_recovery.h"
#include "export_dialog.h"
#include "lecture.h"
#include "live_run.h"
#include "plot_style.h"
#include "scene.h"
#include "session.h"

#include <QMainWindow>
#include <QTimer>
#include <deque>
#include <functional>
#include <memory>

class QLabel;
class QTabWidget;
class QAction;
class QActionGroup;
class QComboBox;
class QDockWidget;
class QScrollArea;

namespace ntk {

class ControlPanel;
class LectureBanner;
class PresenterNotes;
class RunStatusLine;
class SceneView;
class NtkPlot;
class LivePlot;
struct LivePlotSet;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `startup` is the config to open with; restoreSettings loads the last session's layout and settings
    // instead (when there is one and `startup` was not given explicitly).
    MainWindow(const RunConfig& startup, bool restoreSettings, QWidget* parent = nullptr);
    ~MainWindow() override;

    const std::vector<LivePlot*>& plots() const { return plots_; }
    const LivePlotSet& livePlots() const { return *livePlots_; } // the same plots, by name
    // True while a frame is drawing its plots one per event-loop turn; the history is held still meanwhile.
    bool isDrawing() const { return !plotsToDraw_.empty(); }
    LiveRun& liveRun() { return liveRun_; }
    const LiveRun& liveRun() const { return liveRun_; }
    const RunHistory& history() const { return liveRun_.history(); }
    ControlPanel* controls() const { return controls_; }
    // Starts a run with `config` now (used by the control panel after its debounce, and by tests).
    void startRun(const RunConfig& config);
    QString runStateText() const;
    // Shows the scene page and runs every run of `scene` in the background.
    void openScene(const Scene& scene);
    SceneView* sceneView() const { return sceneView_; }
    // Lectures (main_window_lecture.cpp): PageDown/PageUp step through, each step starts its run, the
    // title shows above the plots and the speaker note in the presenter's own window.
    void openLecture(const Lecture& lecture);
    void endLecture();
    LectureStepper& lectureStepper() { return lecture_; }
    LectureBanner* lectureBanner() const { return lectureBanner_; }
    PresenterNotes* presenterNotes() const { return presenterNotes_; }
    QDockWidget* presenterDock() const { return presenterDock_; }
    RunStatusLine* runStatus() const { return runStatus_; }
    static constexpr int redrawIntervalMs = LiveRun::frameIntervalMs;

    // Pace: training epochs per second (0 = as fast as possible). The lecture default lets the default
    // run (300 epochs) take 20 s, slow enough to narrate; the toolbar's "Pace" box changes it.
    static constexpr double lecturePace = 15.0;
    double pace() const { return liveRun_.speedLimit(); }
    void setPace(double epochsPerSecond) { setSpeedLimit(epochsPerSecond); }
    // The pace saved by the last session (QSettings), or lecturePace on a first launch.
    void restorePace();

    // Sessions: the whole setup (settings, pinned reference, scene, view) as one file.
    Session currentSession() const;
    // `session` was validated by loadSessionFile. Returns (and shows in the status bar) one line when a
    // part could not be restored: its lecture is missing or has changed since; empty when all of it was.
    QString applySession(const Session& session);
    bool openSessionFile(const QString& path); // on error: a dialog, and nothing changes
    const RunHistory& reference() const { return liveRun_.reference(); }

    // Exports without dialogs (the File menu asks for the folder and calls these): every live plot with
    // something to draw as a PNG (the others listed in `skipped`, see skippedFigureMessage), and the run's
    // numbers and arrays as `ntkviz-cli train --out` writes them.
    std::optional<QString> exportAllPlotsTo(const QString& directory, const ExportSize& size,
                                            QStringList* written = nullptr, QStringList* skipped = nullptr);
    std::optional<QString> exportRunTo(const QString& directory);
    // The plot's context menu asks for the size and the file, then calls this: `plotName` (a live plot's
    // file name) over the current settings' run, as `ntkviz --export-animation PATH --plot NAME` with the
    // same settings writes it.
    std::optional<QString> exportAnimationTo(const QString& plotName, const QString& path,
                                             const AnimationOptions& options);

    // Autosaves the session into `directory` whenever the setup changes. When the previous run there did
    // not exit cleanly, asks `askToRestore` (given the autosave's path; may be empty: never restore).
    using RestorePrompt = std::function<bool(const QString& autosavePath)>;
    void enableCrashRecovery(const QString& directory, const RestorePrompt& askToRestore);
    const CrashRecovery* crashRecovery() const { return recovery_.get(); }
    static constexpr int autosaveDelayMs = 1000; // a slider drag autosaves once, when it pauses

    // Normal text at least this size: the platform default (9 pt, about 11 px high) is hard to read on
    // a projector.
    static constexpr double minimumFontPoints = 10.5;

protected:
    void closeEvent(QCloseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    // The tab bars of docks shown as tabs (settings and presenter notes on one screen) are the window's
    // children, made by Qt as needed: each shows whole labels, and the dock area widens for them.
    void childEvent(QChildEvent* event) override;

private:
    void buildMenus();
    void buildLayout();
    void buildLectureMenu();
    QWidget* withLectureBanner(QWidget* page);
    void beginLecture(); // the lecture's banner, actions and presenter notes, before its first step shows
    QString reopenLecture(const SessionLecture& saved); // an error line, or empty once reopened
    void placePresenterNotes();          // floating on another screen when there is one, else docked
    void showLectureStepText(int index); // the banner and the presenter notes
    void showLectureStep(int index);     // those, and the step's run or scene
    void onRunStarted(const RunInfo& info);
    void onRunFailed(const QString& reason);
    void redraw();
    void drawNextPlot();
    void updateStatus();
    void setPresentationScale(double scale);
    void fitSettingsWidth();
    void togglePresentationMode(bool on);
    void exportPlot(NtkPlot* plot);
    void exportAnimation(NtkPlot* plot);
    void exportAllPlots();
    void exportRun();
    void loadConfig();
    void saveConfig();
    void openSessionDialog();
    void saveSessionDialog();
    void pinReference();
    void unpinReference();
    void rebuildReference(const PinnedReference& pinned);
    void setSpeedLimit(double epochsPerSecond);
    // While a new run has not reported yet, every plot shows what is happening instead of the replaced
    // run; returns true while that lasts.
    bool showRunProgressInPlots();
    void setupChanged();
    void autosaveNow();
    void chooseCsv();
    void chooseNpyDirectory();
    void saveSettings() const;
    void showError(const QString& title, const QString& message);

    LiveRun liveRun_;
    QString sceneName_; // the open scene, as a session names it
    QActionGroup* speedGroup_ = nullptr;
    QComboBox* paceBox_ = nullptr;
    bool awaitingFirstReport_ = false; // a run was started and has not reported its first epoch yet
    QTimer autosaveDebounce_;
    std::unique_ptr<CrashRecovery> recovery_;
    ControlPanel* controls_ = nullptr;
    QScrollArea* settingsScroll_ = nullptr;
    std::unique_ptr<LivePlotSet> livePlots_; // plots_ holds the same plots in display order
    std::vector<LivePlot*> plots_;
    QTabWidget* detailTabs_ = nullptr;
    bool settingsHiddenForScene_ = false; // the settings dock was hidden by showing the Scene page
    QTabWidget* pages_ = nullptr;
    SceneView* sceneView_ = nullptr;
    QDockWidget* helpDock_ = nullptr;
    QTimer restartDebounce_;
    QTimer drawStep_;                   // draws the next of plotsToDraw_ on the next event-loop turn
    std::deque<LivePlot*> plotsToDraw_; // visible plots still to draw in this frame
    RunConfig pendingConfig_;
    PlotStyle style_;
    double baseFontPoints_ = 0.0;
    ExportSize exportSize_;
    AnimationOptions animationOptions_;
    QString lastExportDir_;
    RunStatusLine* runStatus_ = nullptr;
    QAction* playAction_ = nullptr;
    QAction* presentationAction_ = nullptr;
    LectureStepper lecture_;
    LectureBanner* lectureBanner_ = nullptr;
    PresenterNotes* presenterNotes_ = nullptr;
    QDockWidget* presenterDock_ = nullptr; // holds presenterNotes_
    QList<QAction*> lectureActions_;       // enabled while a lecture is open
};

} // namespace ntk
