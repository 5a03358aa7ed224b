#include "presenter_notes.h"

#include "lecture.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace ntk {

PresenterNotes::PresenterNotes(QWidget* parent)
    : QWidget(parent) {
    setObjectName("presenterNotes");
    // Narrow enough to take the settings panel's place on a single screen, in presentation mode too: the
    // texts wrap and the buttons are short (their keys are in their tooltips and in the Lecture menu).
    lectureTitle_ = new QLabel;
    lectureTitle_->setWordWrap(true);
    counter_ = new QLabel;
    counter_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    title_ = new QLabel;
    title_->setWordWrap(true);
    title_->setTextFormat(Qt::PlainText);
    QFont titleFont = title_->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    title_->setFont(titleFont);
    // A text browser, not a label: a long note scrolls instead of growing the window off the screen.
    note_ = new QTextBrowser;
    note_->setObjectName("presenterNote");
    note_->setOpenLinks(false);
    QFont noteFont = note_->font();
    noteFont.setPointSizeF(noteFont.pointSizeF() * 1.25); // read at a glance, from a step away
    note_->setFont(noteFont);
    next_ = new QLabel;
    next_->setWordWrap(true);
    next_->setTextFormat(Qt::PlainText);
    previousButton_ = new QPushButton(tr("Previous"));
    previousButton_->setToolTip(tr("The previous step (PageUp)"));
    nextButton_ = new QPushButton(tr("Next"));
    nextButton_->setToolTip(tr("The next step (PageDown)"));
    // Clicking must not leave a button with focus that then eats the clicker's keys: the window's
    // PageDown/PageUp are application shortcuts, and buttons without focus cannot intercept them.
    for (QPushButton* button : {previousButton_, nextButton_})
        button->setFocusPolicy(Qt::NoFocus);
    connect(previousButton_, &QPushButton::clicked, this, &PresenterNotes::previousRequested);
    connect(nextButton_, &QPushButton::clicked, this, &PresenterNotes::nextRequested);

    auto* header = new QHBoxLayout;
    header->addWidget(lectureTitle_, 1);
    header->addWidget(counter_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(previousButton_);
    buttons->addStretch(1);
    buttons->addWidget(nextButton_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(title_);
    layout->addWidget(note_, 1);
    layout->addWidget(next_);
    layout->addLayout(buttons);
}

void PresenterNotes::showStep(const Lecture& lecture, int index) {
    const int count = int(lecture.steps.size());
    const LectureStep& step = lecture.steps[std::size_t(index)];
    lectureTitle_->setText(lecture.title);
    counter_->setText(tr("step %1 / %2").arg(index + 1).arg(count));
    title_->setText(step.title);
    note_->setPlainText(step.note.isEmpty() ? tr("(no note for this step)") : step.note);
    next_->setText(index + 1 < count ? tr("Next: %1").arg(lecture.steps[std::size_t(index + 1)].title)
                                     : tr("Next: the end of the lecture"));
    previousButton_->setEnabled(index > 0);
    nextButton_->setEnabled(index + 1 < count);
}

QString PresenterNotes::noteText() const {
    return note_->toPlainText();
}

QString PresenterNotes::nextText() const {
    return next_->text();
}

} // namespace ntk
