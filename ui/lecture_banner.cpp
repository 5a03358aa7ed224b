#include "lecture_banner.h"

#include <QApplication>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>

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
}

QString LectureBanner::titleText() const {
    return title_->text();
}

QString LectureBanner::counterText() const {
    return counter_->text();
}

void LectureBanner::changeEvent(QEvent* event) {
    // The window scales text by changing the application font (presentation mode, Ctrl++).
    if (event->type() == QEvent::ApplicationFontChange)
        applyFonts();
    QFrame::changeEvent(event);
}

void LectureBanner::applyFonts() {
    QFont title = QApplication::font();
    title.setPointSizeF(title.pointSizeF() * titleScale);
    title.setBold(true);
    title_->setFont(title);
    QFont counter = QApplication::font();
    counter.setPointSizeF(counter.pointSizeF() * 1.2);
    counter_->setFont(counter);
}

} // namespace ntk
