// MainWindow's sessions: saving and opening the whole setup, the pinned reference (kept as the settings
// that made it, and re-run to rebuild it), and the autosave behind crash recovery. Kept apart from
// main_window.cpp, which lays out the window and feeds the plots.
#include "main_window.h"

#include "atomic_write.h"
#include "control_panel.h"
#include "live_plot.h"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QStatusBar>

namespace ntk {

Session MainWindow::currentSession() const {
    Session session;
    session.config = liveRun_.settings();
    session.reference = liveRun_.pinned();
    session.scene = sceneName_;
    session.view.presentationScale = style_.scale;
    session.view.speedLimit = liveRun_.speedLimit();
    if (const LectureStep* step = lecture_.current())
        session.lecture =
            SessionLecture{sessionLectureName(lecture_.lecture()->path), lecture_.index(), step->title};
    return session;
}

QString MainWindow::applySession(const Session& session) {
    if (session.reference)
        rebuildReference(*session.reference);
    else
        unpinReference();
    setPresentationScale(session.view.presentationScale);
    setSpeedLimit(session.view.speedLimit);
    startRun(session.config);
    if (session.scene.isEmpty()) {
        sceneName_.clear();
        pages_->setCurrentIndex(0);
    } else {
        QString error;
        if (const auto scene = findScene(session.scene, error))
            openScene(*scene);
        else
            showError(tr("Cannot open the session's scene"), error); // removed since the session was read
    }
    // After the run and the scene: the lecture goes back to its step without starting that step's run
    // again, since the session's settings and scene are what was on screen at that step (the step's own,
    // or what the lecturer changed there).
    QString notice;
    if (session.lecture)
        notice = reopenLecture(*session.lecture);
    else
        endLecture();
    if (!notice.isEmpty())
        statusBar()->showMessage(notice, 15000);
    setupChanged();
    return notice;
}

bool MainWindow::openSessionFile(const QString& path) {
    QString error;
    const auto session = loadSessionFile(path, error);
    if (!session) {
        showError(tr("Cannot open session"), error);
        return false;
    }
    if (applySession(*session).isEmpty())
        statusBar()->showMessage(tr("Opened session %1").arg(path), 6000);
    return true;
}

void MainWindow::openSessionDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), lastExportDir_,
                                                      tr("ntkviz session (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    lastExportDir_ = QFileInfo(path).absolutePath();
    openSessionFile(path);
}

void MainWindow::saveSessionDialog() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save session"), QDir(lastExportDir_).filePath("session.json"),
                                     tr("ntkviz session (*.json)"));
    if (path.isEmpty())
        return;
    lastExportDir_ = QFileInfo(path).absolutePath();
    if (auto error = saveSessionFile(path, currentSession()))
        showError(tr("Cannot save session"), *error);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path), 6000);
}

void MainWindow::pinReference() {
    if (!liveRun_.pin())
        return;
    for (LivePlot* plot : plots_)
        plot->setReference(&liveRun_.reference());
    statusBar()->showMessage(tr("Pinned this run: the next runs are drawn against it (dashed)."), 6000);
}

void MainWindow::unpinReference() {
    for (LivePlot* plot : plots_)
        plot->setReference(nullptr);
    liveRun_.unpin();
}

void MainWindow::rebuildReference(const PinnedReference& pinned) {
    liveRun_.restoreReference(pinned);
    for (LivePlot* plot : plots_)
        plot->setReference(&liveRun_.reference());
}

void MainWindow::setSpeedLimit(double epochsPerSecond) {
    liveRun_.setSpeedLimit(epochsPerSecond);
    for (QAction* action : speedGroup_->actions())
        action->setChecked(action->data().toDouble() == epochsPerSecond);
    // A pace from a session file may be none of the listed ones: the box gets it as an extra entry.
    int index = paceBox_->findData(epochsPerSecond);
    if (index < 0) {
        paceBox_->addItem(tr("%1 epochs/s").arg(epochsPerSecond), epochsPerSecond);
        index = paceBox_->count() - 1;
    }
    paceBox_->setCurrentIndex(index);
    setupChanged();
}

void MainWindow::enableCrashRecovery(const QString& directory, const RestorePrompt& askToRestore) {
    recovery_ = std::make_unique<CrashRecovery>(directory);
    if (recovery_->previousRunEndedUncleanly() && askToRestore && askToRestore(recovery_->autosavePath()))
        openSessionFile(recovery_->autosavePath());
    setupChanged(); // from now on a crash has something to restore
}

void MainWindow::setupChanged() {
    if (recovery_ && recovery_->active())
        autosaveDebounce_.start();
}

void MainWindow::autosaveNow() {
    if (!recovery_)
        return;
    // A failed autosave must not interrupt a lecture with a dialog: the status bar says it.
    if (auto error = recovery_->autosave(currentSession()))
        statusBar()->showMessage(tr("Autosave failed: %1").arg(*error), 10000);
}

} // namespace ntk
