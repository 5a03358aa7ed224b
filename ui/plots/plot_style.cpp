#include "plot_style.h"

#include <QApplication>
#include <array>
#include <cmath>

namespace ntk {
namespace {

QFont sized(double points, bool bold = false) {
    QFont font = QApplication::font();
    font.setPointSizeF(points);
    font.setBold(bold);
    return font;
}

} // namespace

QFont PlotStyle::tickFont() const {
    return sized(9.0 * scale);
}
QFont PlotStyle::labelFont() const {
    return sized(10.0 * scale);
}
QFont PlotStyle::titleFont() const {
    return sized(11.0 * scale, true);
}
QFont PlotStyle::legendFont() const {
    return sized(9.0 * scale);
}

QColor PlotStyle::color(int index) {
    static const std::array<QColor, 7> palette{
        QColor(0, 114, 178), QColor(213, 94, 0),   QColor(0, 158, 115), QColor(204, 121, 167),
        QColor(230, 159, 0), QColor(86, 180, 233), QColor(0, 0, 0)};
    return palette[std::size_t(index) % palette.size()];
}

QString PlotStyle::colorName(const QColor& color) {
    struct Named {
        QColor color;
        const char* name;
    };
    // The palette above as people name it on a projector (Okabe-Ito's vermillion reads as orange, its
    // orange as yellow), and the fixed colours of markers and reference lines.
    static const std::array<Named, 10> names{{{QColor(0, 114, 178), "blue"},
                                              {QColor(213, 94, 0), "orange"},
                                              {QColor(0, 158, 115), "green"},
                                              {QColor(204, 121, 167), "pink"},
                                              {QColor(230, 159, 0), "yellow"},
                                              {QColor(86, 180, 233), "light blue"},
                                              {QColor(0, 0, 0), "black"},
                                              {referenceColor(), "grey"},
                                              {QColor(200, 0, 0), "red"},
                                              {QColor(120, 0, 160), "purple"}}};
    const Named* nearest = &names[0];
    double best = 1e300;
    for (const Named& n : names) {
        const double d = std::pow(n.color.red() - color.red(), 2) +
                         std::pow(n.color.green() - color.green(), 2) +
                         std::pow(n.color.blue() - color.blue(), 2);
        if (d < best) {
            best = d;
            nearest = &n;
        }
    }
    return QString::fromLatin1(nearest->name);
}

} // namespace ntk
