// MainWindow's lectures: the Lecture menu, PageDown/PageUp through the steps, and starting each step's
// run. The stepping itself is a LectureStepper (runtime/scene/lecture.h); the title banner and the
// presenter's window are widgets of their own. Kept apart from main_window.cpp, which lays out the window.
#include "main_window.h"

#include "lecture_banner.h"
#include "presenter_notes.h"
#include "scene_view.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMenuBar>
#include <QScreen>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace ntk {

QWidget* MainWindow::withLectureBanner(QWidget* page) {
    // Above the plots, not over them: while a lecture is open the title takes its own strip, so no plot
    // title or data point hides behind it. Hidden, it takes no space.
    lectureBanner_ = new LectureBanner;
    lectureBanner_->hide();
    auto* column = new QWidget;
    auto* layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(lectureBanner_);
    layout->addWidget(page, 1);

    // The presenter's notes are a dock: floating on the lecturer's own screen when there are two, and on
    // a single screen docked beside the plots, as a tab over the settings panel, so they never cover a plot
    // (see placePresenterNotes).
    presenterNotes_ = new PresenterNotes;
    presenterDock_ = new QDockWidget(tr("Presenter notes"), this);
    presenterDock_->setObjectName("presenterNotesDock");
    presenterDock_->setWidget(presenterNotes_);
    presenterDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                                QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::LeftDockWidgetArea, presenterDock_);
    if (auto* settings = findChild<QDockWidget*>("settingsDock"))
        tabifyDockWidget(settings, presenterDock_);
    presenterDock_->hide();
    connect(presenterNotes_, &PresenterNotes::nextRequested, &lecture_, &LectureStepper::goNext);
    connect(presenterNotes_, &PresenterNotes::previousRequested, &lecture_, &LectureStepper::goPrevious);
    connect(&lecture_, &LectureStepper::stepChanged, this, &MainWindow::showLectureStep);
    return column;
}

void MainWindow::buildLectureMenu() {
    QMenu* menu = menuBar()->addMenu(tr("&Lecture"));
    for (const QString& path : builtinLecturePaths()) {
        QString error;
        const auto lecture = loadLecture(path, error);
        if (!lecture)
            continue; // a broken built-in lecture is caught by the tests, not shown to users
        menu->addAction(lecture->title, this, [this, lecture = *lecture] { openLecture(lecture); });
    }
    menu->addAction(tr("Open lecture &file…"), this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open lecture"), lastExportDir_, tr("Lecture (*.json)"));
        if (path.isEmpty())
            return;
        QString error;
        if (const auto lecture = loadLecture(path, error))
            openLecture(*lecture);
        else
            showError(tr("Cannot open lecture"), error);
    });
    menu->addSeparator();
    // Presentation clickers send PageDown and PageUp. As application shortcuts they reach the lecture
    // whichever window is active (the presenter's too) and whatever has focus: a slider would otherwise
    // take them as a page step and change a setting in front of the audience. Only while a lecture is
    // open; otherwise the keys are the sliders' again.
    QAction* next = menu->addAction(tr("&Next step"), this, [this] {
        if (!lecture_.goNext())
            statusBar()->showMessage(tr("This is the last step of the lecture."), 4000);
    });
    next->setShortcut(Qt::Key_PageDown);
    QAction* previous = menu->addAction(tr("&Previous step"), this, [this] {
        if (!lecture_.goPrevious())
            statusBar()->showMessage(tr("This is the first step of the lecture."), 4000);
    });
    previous->setShortcut(Qt::Key_PageUp);
    QAction* notes = menu->addAction(tr("&Show presenter notes"), this, [this] {
        if (!presenterDock_->isVisible())
            placePresenterNotes();
        presenterDock_->show();
        presenterDock_->raise(); // its tab in front of the settings' when docked
    });
    QAction* end = menu->addAction(tr("&End lecture"), this, &MainWindow::endLecture);
    lectureActions_ = {next, previous, notes, end};
    for (QAction* action : lectureActions_) {
        action->setShortcutContext(Qt::ApplicationShortcut);
        action->setEnabled(false);
    }
}

void MainWindow::openLecture(const Lecture& lecture) {
    beginLecture();
    lecture_.open(lecture);
    statusBar()->showMessage(
        tr("Lecture \"%1\": PageDown for the next step, PageUp for the previous one.").arg(lecture.title),
        8000);
}

QString MainWindow::reopenLecture(const SessionLecture& saved) {
    QString error;
    const auto lecture = findLecture(saved.source, error);
    if (!lecture) {
        endLecture();
        // A file that is gone is said in a few words: the status bar shares its line with the run's status.
        const bool fileGone = QFileInfo(saved.source).isAbsolute() && !QFileInfo::exists(saved.source);
        return tr("Opened the session without its lecture: %1")
            .arg(fileGone ? tr("%1 is not there any more").arg(saved.source) : error);
    }
    const auto& steps = lecture->steps;
    if (saved.step >= int(steps.size()) || steps[std::size_t(saved.step)].title != saved.stepTitle) {
        endLecture();
        return tr("Opened the session without its lecture: %1 has changed since the session was saved (its "
                  "step %2 is no longer \"%3\")")
            .arg(saved.source)
            .arg(saved.step + 1)
            .arg(saved.stepTitle);
    }
    beginLecture();
    {
        const QSignalBlocker noStepRun(&lecture_); // the session has set up the run and the scene
        lecture_.open(*lecture, saved.step);
    }
    showLectureStepText(saved.step);
    return {};
}

void MainWindow::beginLecture() {
    for (QAction* action : lectureActions_)
        action->setEnabled(true);
    lectureBanner_->show();
    // With two screens the window is on the projector and the notes go on the lecturer's laptop screen,
    // by themselves. With one screen the audience sees whatever that screen shows (a laptop mirrored to
    // the projector is the usual setup), so the notes stay hidden until the lecturer asks for them
    // (Lecture > Show presenter notes), for instance while rehearsing.
    if (!presenterDock_->isVisible() && QGuiApplication::screens().size() > 1) {
        placePresenterNotes();
        presenterDock_->show();
    }
}

void MainWindow::placePresenterNotes() {
    QScreen* lecturersScreen = nullptr;
    for (QScreen* other : QGuiApplication::screens())
        if (other != screen()) {
            lecturersScreen = other;
            break;
        }
    if (!lecturersScreen) {
        // Docked, the window's layout makes room for the notes: the plots shrink, nothing covers them.
        presenterDock_->setFloating(false);
        return;
    }
    presenterDock_->setFloating(true);
    const QRect area = lecturersScreen->availableGeometry();
    QRect frame(QPoint(), QSize(560, 420).boundedTo(area.size()));
    frame.moveCenter(area.center());
    presenterDock_->setGeometry(frame);
}

void MainWindow::endLecture() {
    if (!lecture_.active())
        return;
    lecture_.close();
    lectureBanner_->hide();
    presenterDock_->hide();
    for (QAction* action : lectureActions_)
        action->setEnabled(false);
    setupChanged(); // the autosave no longer reopens it
}

void MainWindow::showLectureStepText(int index) {
    const Lecture& lecture = *lecture_.lecture();
    lectureBanner_->showStep(lecture.steps[std::size_t(index)].title, index, int(lecture.steps.size()));
    presenterNotes_->showStep(lecture, index);
}

void MainWindow::showLectureStep(int index) {
    showLectureStepText(index);
    const LectureStep& step = lecture_.lecture()->steps[std::size_t(index)];
    if (step.scene) {
        openScene(*step.scene);
        return;
    }
    // The previous step's scene is done with: its runs would share the cores with this live run.
    if (sceneView_->running())
        sceneView_->cancel();
    sceneName_.clear();
    pages_->setCurrentIndex(0); // the live run
    restartDebounce_.stop();    // a slider change still pending must not replace the step's run
    startRun(step.settings);
}

} // namespace ntk
