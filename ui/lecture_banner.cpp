#include "lecture_banner.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QResizeEvent>

namespace ntk {

LectureBanner::LectureBanner(QWidget* parent)
    : QFrame(parent) {
    setObjectName("lectureBanner");
    setFrameShape(QFrame::NoFrame);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    title_ = new QLabel;
    title_->setObjectName("lectureTitle");
    // A long title wraps onto a second line rather than losing its end off the projector's edge.
    title_->setWordWrap(true);
    title_->setTextFormat(Qt::PlainText);
    counter_ = new QLabel;
    counter_->setObjectName("lectureCounter");
    counter_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 4, 12, 4);
    layout->addWidget(title_, 1);
    layout->addWidget(counter_, 0);
    applyFonts();
}

void LectureBanner::showStep(const QString& title, int index, int count) {
    title_->setText(title);
    counter_->setText(tr("step %1 / %2").arg(index + 1).arg(count));
    applyFonts();
}

QString LectureBanner::titleText() const {
    return title_->text();
}

QString LectureBanner::counterText() const {
    return counter_->text();
}

void LectureBanner::changeEvent(QEvent* event) {
    // The window scales text by changing the application font (presentation mode, Ctrl++); the banner
    // sets no font of its own, so it inherits the new one and passes it on, enlarged, to its labels.
    if (event->type() == QEvent::FontChange)
        applyFonts();
    QFrame::changeEvent(event);
}

void LectureBanner::resizeEvent(QResizeEvent* event) {
    QFrame::resizeEvent(event);
    applyFonts();
}

void LectureBanner::applyFonts() {
    const QMargins margins = layout()->contentsMargins();
    const int available =
        width() - margins.left() - margins.right() - layout()->spacing() - counter_->sizeHint().width();
    QFont title = font();
    title.setBold(true);
    for (double scale = titleScale; scale >= minimumTitleScale - 1e-9; scale -= 0.05) {
        title.setPointSizeF(font().pointSizeF() * scale);
        if (QFontMetrics(title).horizontalAdvance(title_->text()) <= available)
            break;
    }
    title_->setFont(title);
    QFont counter = font();
    counter.setPointSizeF(font().pointSizeF() * counterScale);
    counter_->setFont(counter);
}

} // namespace ntk
