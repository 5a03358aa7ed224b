#include "solve_progress_bar.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>
#include <algorithm>

namespace ntk {

SolveProgressBar::SolveProgressBar(const SolveProgress& progress, QWidget* parent)
    : QWidget(parent)
    , progress_(progress)
    , label_(new QLabel)
    , bar_(new QProgressBar)
    , stop_(new QToolButton) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label_);
    layout->addWidget(bar_);
    layout->addWidget(stop_);
    bar_->setTextVisible(true);
    fitBarWidth();
    stop_->setText(tr("Stop"));
    stop_->setToolTip(tr("Stop this run where it is; what it has drawn stays. Any new setting starts a new "
                         "run."));
    connect(stop_, &QToolButton::clicked, this, &SolveProgressBar::stopRequested);
    setToolTip(tr("The kernel of a large run is solved as an operator, never formed: each NTK epoch takes "
                  "about a hundred products with it (seconds to a minute), and the eigenvalue density "
                  "some hundreds more."));
    hide();
    timer_.setInterval(200);
    connect(&timer_, &QTimer::timeout, this, &SolveProgressBar::refresh);
    timer_.start();
}

void SolveProgressBar::fitBarWidth() {
    // Room for the longest count ("8888 of ~8888 products") beside the bar's own margins.
    const QFontMetrics metrics = bar_->fontMetrics();
    bar_->setMinimumWidth(metrics.horizontalAdvance(tr("%1 of ~%2 products").arg(8888).arg(8888)) +
                          4 * metrics.averageCharWidth());
}

void SolveProgressBar::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        fitBarWidth();
}

void SolveProgressBar::refresh() {
    const int stage = progress_.stage.load();
    const int epoch = progress_.epoch.load();
    if (stage == SolveProgress::Idle) {
        shownStage_ = -1;
        setVisible(false);
        return;
    }
    if (stage != shownStage_ || epoch != shownEpoch_) {
        shownStage_ = stage;
        shownEpoch_ = epoch;
        busy_.start();
    }
    if (busy_.elapsed() < showAfterMs)
        return;
    const long long done = progress_.done.load(), expected = progress_.expected.load();
    const QString what = stage == SolveProgress::Density   ? tr("Density, epoch %1:")
                         : stage == SolveProgress::Lanczos ? tr("Top eigenvalues, epoch %1:")
                                                           : tr("Kernel, epoch %1:");
    label_->setText(what.arg(epoch));
    if (expected > 0) {
        // Lanczos' count is an estimate: hold the bar just short of full until the solve says it is done.
        bar_->setRange(0, int(expected));
        bar_->setValue(int(std::min(done, expected - 1)));
        bar_->setFormat(tr("%1 of ~%2 products").arg(done).arg(expected));
    } else {
        bar_->setRange(0, 0); // busy: a dense build has no count to show
    }
    setVisible(true);
}

} // namespace ntk
