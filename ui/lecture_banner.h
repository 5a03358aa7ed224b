#pragma once
// The lecture step's title, large, above the plots, with "step 3 / 8": readable from the back of a hall.
// Its text follows the application font, so presentation mode and Ctrl++ enlarge it with everything else.
#include <QFrame>

class QLabel;

namespace ntk {

class LectureBanner : public QFrame {
    Q_OBJECT
public:
    explicit LectureBanner(QWidget* parent = nullptr);

    void showStep(const QString& title, int index, int count); // index from 0
    QString titleText() const;
    QString counterText() const;

    // Relative to the application font: about 24 px at the default 10.5 pt, 38 px in presentation mode.
    static constexpr double titleScale = 1.7;

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyFonts();

    QLabel* title_ = nullptr;
    QLabel* counter_ = nullptr;
};

} // namespace ntk
