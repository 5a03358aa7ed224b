#include "run_status_line.h"

#include <QHBoxLayout>
#include <QLabel>

namespace ntk {

RunStatusLine::RunStatusLine(QWidget* parent)
    : QWidget(parent) {
    setObjectName("runStatus");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    static const char* names[itemCount] = {"statusEpoch", "statusSpeed", "statusKernelTime", "statusState"};
    for (int i = 0; i < itemCount; ++i) {
        separators_[i] = new QLabel(separator);
        separators_[i]->hide();
        labels_[i] = new QLabel;
        labels_[i]->setObjectName(names[i]);
        labels_[i]->setTextFormat(Qt::PlainText);
        labels_[i]->hide();
        layout->addWidget(separators_[i]);
        layout->addWidget(labels_[i]);
    }
}

void RunStatusLine::setItem(Item item, const QString& text, const QString& toolTip, bool warning) {
    QLabel* label = labels_[item];
    // Set on every frame: only what changed, so an unchanged status costs no relayout or restyle.
    if (label->text() != text)
        label->setText(text);
    if (label->toolTip() != toolTip)
        label->setToolTip(toolTip);
    // Dark red and bold: noticed at a glance among the plain numbers beside it.
    const QString style = warning ? "color: #b00020; font-weight: bold;" : QString();
    if (label->styleSheet() != style)
        label->setStyleSheet(style);
    if (label->isHidden() != text.isEmpty()) {
        label->setVisible(!text.isEmpty());
        updateSeparators();
    }
}

QString RunStatusLine::text() const {
    QStringList shown;
    for (QLabel* label : labels_)
        if (!label->text().isEmpty())
            shown << label->text();
    return shown.join(separator);
}

void RunStatusLine::updateSeparators() {
    bool anyBefore = false;
    for (int i = 0; i < itemCount; ++i) {
        const bool shown = !labels_[i]->text().isEmpty();
        separators_[i]->setVisible(shown && anyBefore);
        anyBefore = anyBefore || shown;
    }
}

RunStatusLine::SpeedReading RunStatusLine::speedText(double measured, double pace, bool running) {
    if (measured <= 0)
        return {};
    const auto rate = [](double value) { return QString::number(value, 'f', value < 10 ? 1 : 0); };
    if (running && pace > 0 && measured < slowerFraction * pace)
        return {tr("slower than the pace: %1 of %2 epochs/s").arg(rate(measured), rate(pace)), true};
    return {tr("%1 epochs/s measured").arg(rate(measured)), false};
}

} // namespace ntk
