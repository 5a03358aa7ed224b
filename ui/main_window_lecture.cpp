// MainWindow's lectures: the Lecture menu, PageDown/PageUp through the steps, and starting each step's
// run. The stepping itself is a LectureStepper (runtime/scene/lecture.h); the title banner and the
// presenter's window are widgets of their own. Kept apart from main_window.cpp, which lays out the window.
#include "main_window.h"

#include "lecture_banner.h"
#include "presenter_notes.h"
#include "scene_view.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMenuBar>
#include <QScreen>
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

    presenterNotes_ = new PresenterNotes(this);
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
    QAction* notes = menu->addAction(tr("Show &presenter notes"), this, [this] {
        presenterNotes_->show();
        presenterNotes_->raise();
    });
    QAction* end = menu->addAction(tr("&End lecture"), this, &MainWindow::endLecture);
    lectureActions_ = {next, previous, notes, end};
    for (QAction* action : lectureActions_) {
        action->setShortcutContext(Qt::ApplicationShortcut);
        action->setEnabled(false);
    }
}

void MainWindow::openLecture(const Lecture& lecture) {
    for (QAction* action : lectureActions_)
        action->setEnabled(true);
    lectureBanner_->show();
    // On a second screen when there is one: the laptop's, while this window is on the projector. With one
    // screen (rehearsing), in its bottom-right corner rather than over the middle of the plots.
    if (!presenterNotes_->isVisible()) {
        QRect area = screen()->availableGeometry();
        for (QScreen* other : QGuiApplication::screens())
            if (other != screen()) {
                area = other->availableGeometry();
                break;
            }
        presenterNotes_->move(area.bottomRight() -
                              QPoint(presenterNotes_->width(), presenterNotes_->height()) - QPoint(40, 60));
    }
    presenterNotes_->show();
    lecture_.open(lecture);
    statusBar()->showMessage(
        tr("Lecture \"%1\": PageDown for the next step, PageUp for the previous one.").arg(lecture.title),
        8000);
}

void MainWindow::endLecture() {
    lecture_.close();
    lectureBanner_->hide();
    presenterNotes_->hide();
    for (QAction* action : lectureActions_)
        action->setEnabled(false);
}

void MainWindow::showLectureStep(int index) {
    const Lecture& lecture = *lecture_.lecture();
    const LectureStep& step = lecture.steps[std::size_t(index)];
    lectureBanner_->showStep(step.title, index, int(lecture.steps.size()));
    presenterNotes_->showStep(lecture, index);
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
