#include "labeled_slider.h"

#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSlider>
#include <cmath>

namespace ntk {

LabeledSlider::LabeledSlider(const QString& label, double minimum, double maximum, Scale scale, bool integer,
                             QWidget* parent)
    : QWidget(parent)
    , label_(new QLabel(label, this))
    , slider_(new QSlider(Qt::Horizontal, this))
    , edit_(new QLineEdit(this))
    , minimum_(minimum)
    , maximum_(maximum)
    , scale_(scale)
    , integer_(integer) {
    switch (scale) {
    case Scale::Linear:
        steps_ = int(maximum - minimum);
        break;
    case Scale::Octaves:
        steps_ = int(std::lround(std::log2(maximum / minimum)));
        break;
    case Scale::Log:
    case Scale::LogWithZero:
        steps_ = 120;
        break;
    }
    slider_->setRange(0, steps_ + (scale == Scale::LogWithZero ? 1 : 0));
    sizeValueBox();
    edit_->setAlignment(Qt::AlignRight);
    // Long names wrap rather than widen the settings panel past its dock, which would push the value
    // boxes out of sight.
    label_->setWordWrap(true);
    slider_->setMinimumWidth(60);
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 2, 0, 2);
    layout->setVerticalSpacing(0);
    layout->addWidget(label_, 0, 0, 1, 2);
    layout->addWidget(slider_, 1, 0);
    layout->addWidget(edit_, 1, 1);
    label_->setBuddy(edit_);
    connect(slider_, &QSlider::valueChanged, this, [this](int position) {
        const double v = valueAt(position);
        if (v == value_)
            return;
        value_ = v;
        const QSignalBlocker block(edit_);
        edit_->setText(format(v));
        emit valueChanged(v);
    });
    connect(edit_, &QLineEdit::editingFinished, this, &LabeledSlider::commitEdit);
    setValue(minimum);
}

void LabeledSlider::sizeValueBox() {
    // The value box always shows a whole value, in whatever font the window uses now.
    edit_->setFixedWidth(fontMetrics().horizontalAdvance("0.000000") + 12); // edit_ uses this font
}

void LabeledSlider::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        sizeValueBox();
}

void LabeledSlider::setExplanation(const QString& tooltip) {
    for (QWidget* w : std::initializer_list<QWidget*>{label_, slider_, edit_})
        w->setToolTip(tooltip);
}

double LabeledSlider::clamp(double value) const {
    if (scale_ == Scale::LogWithZero && value <= 0.0)
        return 0.0;
    value = std::clamp(value, minimum_, maximum_);
    return integer_ ? std::round(value) : value;
}

void LabeledSlider::setValue(double value) {
    value_ = clamp(value);
    showValue();
}

void LabeledSlider::showValue() {
    const QSignalBlocker blockSlider(slider_);
    const QSignalBlocker blockEdit(edit_);
    slider_->setValue(positionFor(value_));
    edit_->setText(format(value_));
}

void LabeledSlider::commitEdit() {
    bool ok = false;
    const double typed = edit_->text().trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(typed)) {
        showValue(); // back to the last valid value
        return;
    }
    const double v = clamp(typed);
    const bool changed = v != value_;
    value_ = v;
    showValue();
    if (changed)
        emit valueChanged(v);
}

int LabeledSlider::positionFor(double value) const {
    switch (scale_) {
    case Scale::Linear:
        return int(std::lround(value - minimum_));
    case Scale::Octaves:
        return int(std::lround(std::log2(value / minimum_)));
    case Scale::Log:
        return int(std::lround(steps_ * std::log(value / minimum_) / std::log(maximum_ / minimum_)));
    case Scale::LogWithZero:
        if (value <= 0.0)
            return 0;
        return 1 + int(std::lround(steps_ * std::log(std::max(value, minimum_) / minimum_) /
                                   std::log(maximum_ / minimum_)));
    }
    return 0;
}

double LabeledSlider::valueAt(int position) const {
    double v = 0.0;
    switch (scale_) {
    case Scale::Linear:
        v = minimum_ + position;
        break;
    case Scale::Octaves:
        v = minimum_ * std::exp2(position);
        break;
    case Scale::Log:
        v = minimum_ * std::pow(maximum_ / minimum_, double(position) / steps_);
        break;
    case Scale::LogWithZero:
        if (position == 0)
            return 0.0;
        v = minimum_ * std::pow(maximum_ / minimum_, double(position - 1) / steps_);
        break;
    }
    if (scale_ == Scale::Log || scale_ == Scale::LogWithZero) {
        // Round to 2 significant digits so slider stops read as 3e-4 or 310, not 2.9764e-4 or 304.
        const double magnitude = std::pow(10.0, std::floor(std::log10(v)) - 1);
        v = std::round(v / magnitude) * magnitude;
    }
    return clamp(v);
}

QString LabeledSlider::format(double value) const {
    if (integer_)
        return QString::number(qint64(value));
    if (value == 0.0)
        return "0";
    return QString::number(value, 'g', 4);
}

} // namespace ntk
