#include "plot_style.h"

#include <QApplication>
#include <array>

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

} // namespace ntk
