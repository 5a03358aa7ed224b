#pragma once
// The run's status at the bottom of the window: "epoch 178 of 300 · 15 epochs/s measured · NTK + spectrum
// 1.9 ms · running". Separate labels keep their own tooltips; a dot between the shown ones keeps the
// numbers from running together, and an empty item takes no room (nor a dot).
#include <QString>
#include <QWidget>
#include <array>

class QLabel;

namespace ntk {

class RunStatusLine : public QWidget {
    Q_OBJECT
public:
    enum Item { Epoch, Speed, KernelTime, State };
    static constexpr int itemCount = 4;

    explicit RunStatusLine(QWidget* parent = nullptr);

    // `warning` marks the item in the warning colour (the run cannot keep up with the chosen pace).
    void setItem(Item item, const QString& text, const QString& toolTip = {}, bool warning = false);
    QLabel* label(Item item) const { return labels_[item]; }
    // The shown items as they read, joined by the separator.
    QString text() const;

    // The measured speed beside the chosen pace (epochs per second, 0 = as fast as possible). "measured"
    // tells it apart from the toolbar's pace, which shows the same unit; a running run below the pace
    // says so, as both numbers, so that a lecturer knows the machine, not the pace, sets the tempo.
    struct SpeedReading {
        QString text;
        bool slowerThanPace = false;
    };
    static SpeedReading speedText(double measured, double pace, bool running);
    // Below this fraction of the pace the run counts as slower: the measurement over the last second
    // wobbles by an epoch or two around the pace.
    static constexpr double slowerFraction = 0.8;
    static constexpr const char* separator = " · ";

private:
    void updateSeparators();

    std::array<QLabel*, itemCount> labels_{};
    std::array<QLabel*, itemCount> separators_{}; // separators_[i] stands before labels_[i]
};

} // namespace ntk
