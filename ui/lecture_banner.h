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

    // Relative to the application font (10.5 pt; 16.8 pt in presentation mode): the title well above the
    // plot titles, to be read from the back of a hall; the counter a little above the normal text. A title
    // too long for one line at titleScale shrinks down to minimumTitleScale before it wraps: a second line
    // would take its height from the plots.
    static constexpr double titleScale = 1.5;
    static constexpr double minimumTitleScale = 1.15;
    static constexpr double counterScale = 1.2;

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void applyFonts();

    QLabel* title_ = nullptr;
    QLabel* counter_ = nullptr;
};

} // namespace ntk
