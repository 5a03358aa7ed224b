#pragma once
// Drawing helpers shared by the plot classes.
#include <qcustomplot.h>

namespace ntk {

struct PlotStyle;

// A range QCustomPlot can draw even for one point or constant data, positive on log axes.
void ensureDrawableRange(QCPAxis* axis);
QCPGraph* addLine(QCustomPlot* plot, const QString& name, const QColor& color, double width,
                  bool dashed = false, QCPAxis* valueAxis = nullptr);
QCPColorGradient viridis();
QCPColorGradient divergingGradient(); // blue, white at the centre, red
void styleColorScale(QCPColorScale* scale, const PlotStyle& style);
QCPColorScale* attachColorScale(QCustomPlot* plot, QCPColorMap* map, const QString& label);
// Several series: the legend goes under the plot, two entries a row, so it never hides a curve.
void placeLegendBelow(QCustomPlot* plot);
QString epochTitle(const QString& what, int epoch);

} // namespace ntk
