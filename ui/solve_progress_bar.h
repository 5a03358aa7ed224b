#pragma once
// A progress bar with a Stop button for the long kernel solves of large runs (seconds to a minute per NTK
// epoch at n = 60,000), in the status bar. It reads the live run's SolveProgress a few times a second and
// shows itself only once a solve has taken longer than a moment, so small runs never see it.
#include "solve_progress.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace ntk {

class SolveProgressBar : public QWidget {
    Q_OBJECT
public:
    // `progress` must outlive the widget.
    explicit SolveProgressBar(const SolveProgress& progress, QWidget* parent = nullptr);

    static constexpr int showAfterMs = 700; // solves shorter than this never show the bar
    void refresh();                         // reads the progress now (the timer calls it)

signals:
    void stopRequested();

protected:
    void changeEvent(QEvent* event) override; // presentation mode's larger text widens the bar

private:
    void fitBarWidth();

    const SolveProgress& progress_;
    QTimer timer_;
    QElapsedTimer busy_; // since the current solve began
    int shownEpoch_ = -2, shownStage_ = -1;
    QLabel* label_;
    QProgressBar* bar_;
    QToolButton* stop_;
};

} // namespace ntk
