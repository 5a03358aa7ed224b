#pragma once
// The live run the window shows, as an object without a window, testable on its own: the training
// worker (and the one that rebuilds a pinned reference), the inbox their reports arrive through, the
// history the plots draw, the record the File menu exports, the start policy, and the pace of redraws.
//
// Flow: start(settings) goes down to the worker, which runs them through the run driver; reports come
// back through the inbox into the history (thinned for drawing) and the record (complete). Reports of a
// run that has since been replaced are dropped here, so they can never be drawn. The window draws a frame
// when frameDue() fires, between beginFrame() and endFrame(); whatever arrives meanwhile is held and
// applied afterwards, in order, so every plot of one frame shows the same epoch.
#include "run_history.h"
#include "run_record.h"
#include "session.h"
#include "thread_inbox.h"
#include "training_worker.h"

#include <QObject>
#include <QTimer>
#include <functional>
#include <optional>
#include <vector>

namespace ntk {

class LiveRun : public QObject {
    Q_OBJECT
public:
    explicit LiveRun(QObject* parent = nullptr);
    ~LiveRun() override; // cancels both runs and joins their threads

    // The start policy: settings as the run will use them. A regression data set switches
    // cross-entropy to mse; above automaticTopKAbove points only the top eigenvalues are solved (unless
    // top-k was set), since a full solve takes seconds per NTK epoch; a matrix-free kernel (above
    // Trainer::maxDenseKernelPoints) is measured every matrixFreeNtkEvery-th epoch at most. Each change
    // made is described in `notices`.
    static constexpr int matrixFreeNtkEvery = 10;
    static RunConfig effectiveConfig(const RunConfig& requested, QStringList* notices = nullptr);
    // Cancels the current run and starts `requested` under the start policy. Settings that fail
    // validation leave the current run alone; the reason is returned.
    std::optional<QString> start(const RunConfig& requested);
    void cancel(); // both runs stop; nothing more of them is applied (closing the window)
    // The current run stops where it is (mid-solve too); what it drew stays, and the state says
    // "stopped" until the next start.
    void stop();
    bool stopped() const { return stopped_; }
    // How far the current NTK epoch's kernel solve has come (for a progress bar).
    const SolveProgress& solveProgress() const { return worker_.solveProgress(); }
    void setPaused(bool paused);
    bool isPaused() const { return worker_.isPaused(); }
    void step(); // one more epoch, paused
    void setSpeedLimit(double epochsPerSecond);
    double speedLimit() const { return speedLimit_; }

    RunId currentRunId() const { return worker_.currentRunId(); }
    const RunHistory& history() const { return history_; }
    const RunRecord& record() const { return record_; }
    // The settings in effect: the latest ones start() accepted, as requested (before the start policy);
    // when that run fails, those of the run still on screen. Sessions, "reset" and "copy as command line"
    // use these.
    const RunConfig& settings() const { return settings_; }
    // The settings of the latest run that started, as run: what the plots show.
    const RunConfig& shownConfig() const { return shownConfig_; }
    // True from start() until that run has reported that its data are ready.
    bool preparing() const { return !history_.hasRun() || history_.runId() != worker_.currentRunId(); }
    QString failure() const { return failure_; }
    QString stateText() const; // "preparing data…", "running", "paused", "failed: …" or the run's status

    // A/B comparison: a pinned earlier run, drawn beside the next ones.
    bool pin(); // false when there is nothing to pin yet
    void unpin();
    void restoreReference(const PinnedReference& pinned); // re-runs it (sessions): same seed, same numbers
    const RunHistory& reference() const { return reference_; }
    const std::optional<PinnedReference>& pinned() const { return pinned_; }

    // Frames (see above).
    static constexpr int frameIntervalMs = 33; // at most ~30 frames a second, however fast epochs arrive
    void beginFrame();
    void endFrame();
    bool inFrame() const { return inFrame_; }
    void requestFrame(); // something outside the run changed what the plots show (a tab, a style)

    // Writes the run's record as `ntkviz-cli train --out` would (run_export.h).
    std::optional<QString> exportRun(const QString& directory, QStringList* written = nullptr) const;

signals:
    void runStarted(const ntk::RunInfo& info); // the new run's data are ready; its reports follow
    void runFailed(const QString& reason);     // the latest settings could not run; the last run stays
    void notice(const QString& message);       // what the start policy changed, for the status bar
    void frameDue();
    void referenceChanged(); // pinned, unpinned or restored: sessions autosave

private:
    // Applies an event now, or after the frame being drawn.
    void apply(std::function<void()> event);
    void onStarted(const RunInfo& info);
    void onEpochs(LiveBatch batch);
    void onTheory(RunId id, const InitialTheory& theory);
    void onEnded(const RunOutcome& outcome);
    void onFailed(RunId id, const QString& reason);
    void onReferenceEpochs(const LiveBatch& batch);

    // Declared before the workers so it outlives them: they post into it until their threads end.
    ThreadInbox inbox_;
    TrainingWorker worker_;
    TrainingWorker referenceWorker_;
    RunHistory history_;
    RunRecord record_;
    RunHistory reference_;
    std::optional<PinnedReference> pinned_;
    RunConfig settings_;
    RunConfig shownSettings_; // settings_ of the run on screen
    RunConfig shownConfig_;
    RunConfig pendingSettings_; // settings_ of the run being prepared
    QString failure_;
    bool stopped_ = false;
    double speedLimit_ = 0.0;
    QTimer frameTimer_;
    bool changed_ = false;
    bool inFrame_ = false;
    std::vector<std::function<void()>> held_;
};

} // namespace ntk
