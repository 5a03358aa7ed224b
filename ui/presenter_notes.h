#pragma once
// The presenter's notes: the current lecture step's title and speaker note, the next step's title and
// the step counter. The main window holds them in a dock that floats on the lecturer's laptop screen while
// the window is on the projector, so the audience never sees the note; on a single screen it docks beside
// the plots, only when asked for (MainWindow::beginLecture says why).
#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;

namespace ntk {

struct Lecture;

class PresenterNotes : public QWidget {
    Q_OBJECT
public:
    explicit PresenterNotes(QWidget* parent = nullptr);

    void showStep(const Lecture& lecture, int index); // index from 0
    QString noteText() const;
    QString nextText() const;

signals:
    void nextRequested();
    void previousRequested();

private:
    QLabel* lectureTitle_ = nullptr;
    QLabel* counter_ = nullptr;
    QLabel* title_ = nullptr;
    QTextBrowser* note_ = nullptr;
    QLabel* next_ = nullptr;
    QPushButton* previousButton_ = nullptr;
    QPushButton* nextButton_ = nullptr;
};

} // namespace ntk
