#pragma once
// A named slider paired with an editable value. Log sliders can reach an exact zero at their left end,
// and the width slider moves in octaves: its stops are the powers of two (no 724 or 304). Log stops are
// rounded to two significant digits.
#include <QWidget>

class QLabel;
class QLineEdit;
class QSlider;

namespace ntk {

class LabeledSlider : public QWidget {
    Q_OBJECT
public:
    enum class Scale {
        Linear,      // integer steps
        Log,         // logarithmic between min and max
        LogWithZero, // leftmost position is exactly 0, then logarithmic from min to max
        Octaves,     // powers of two between min and max
    };
    LabeledSlider(const QString& label, double minimum, double maximum, Scale scale, bool integer,
                  QWidget* parent = nullptr);

    double value() const { return value_; }
    // Programmatic changes do not emit valueChanged.
    void setValue(double value);
    void setExplanation(const QString& tooltip);

signals:
    void valueChanged(double value); // only for changes made by the user

protected:
    void changeEvent(QEvent* event) override;

private:
    void sizeValueBox();
    int positionFor(double value) const;
    double valueAt(int position) const;
    double clamp(double value) const;
    QString format(double value) const;
    void showValue();
    void commitEdit();

    QLabel* label_;
    QSlider* slider_;
    QLineEdit* edit_;
    double minimum_, maximum_;
    Scale scale_;
    bool integer_;
    double value_ = 0.0;
    int steps_ = 100;
};

} // namespace ntk
