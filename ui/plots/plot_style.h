#pragma once
// Shared look of every plot: a colour-blind-safe palette (Okabe-Ito) and sizes that follow one scale
// factor, so presentation mode can make every font and line larger at once.
#include <QColor>
#include <QFont>
#include <QString>

namespace ntk {

struct PlotStyle {
    double scale = 1.0; // 1 on a laptop; presentation mode raises it

    QFont tickFont() const;
    QFont labelFont() const;
    QFont titleFont() const;
    QFont legendFont() const;
    double lineWidth() const { return 2.0 * scale; }
    double markerSize() const { return 5.0 * scale; }

    static QColor color(int index); // cycles through the palette
    static QColor trainColor() { return color(0); }
    static QColor testColor() { return color(1); }
    static QColor referenceColor() { return QColor(150, 150, 150); }
    // The everyday name of the palette colour nearest to `color` ("blue", "orange", "grey"), the word a
    // caption must use for it: captions name what is drawn, not what a colour was once meant to be.
    static QString colorName(const QColor& color);
};

} // namespace ntk
