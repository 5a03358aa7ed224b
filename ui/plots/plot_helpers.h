#pragma once
// Drawing helpers shared by the plot classes.
#include "run_history.h"

#include <Eigen/Core>
#include <functional>
#include <optional>
#include <qcustomplot.h>
#include <vector>

namespace ntk {

struct PlotStyle;

// Eigen-directions whose share of the initial residual is below this carry nothing to follow (the spectral
// bias and spectral filter views leave them out).
constexpr double negligibleShare = 1e-10;

// Log ticks for a log axis that never run together: decades (thinned to the axis' tick count), or at most
// three 1-2-5 ticks written plainly when the range spans under two decades.
void useSparseLogTicks(QCPAxis* axis);
// A range QCustomPlot can draw even for one point or constant data, positive on log axes.
void ensureDrawableRange(QCPAxis* axis);
// When `follow`: both axes fitted to the data with a margin (5% on linear axes, a factor 1.5 on log ones),
// as the scene plots draw them.
void finishRanges(QCustomPlot* plot, bool follow);
QVector<double> toQVector(const Eigen::VectorXd& v);
// One quantity over a run's epochs into `graph`: value(r) where it has one, less what a log axis cannot
// show. One or two points show as dots of `markerSize`, since a line needs two (a run's first NTK epoch is
// a minute apart from its second at n = 60,000). Returns whether any point is drawn.
bool setEpochSeries(QCPGraph* graph, const std::vector<EpochReport>& reports,
                    const std::function<std::optional<double>(const EpochReport&)>& value, bool log,
                    double markerSize);
QCPGraph* addLine(QCustomPlot* plot, const QString& name, const QColor& color, double width,
                  bool dashed = false, QCPAxis* valueAxis = nullptr);
QCPColorGradient viridis();
QCPColorGradient divergingGradient(); // blue, white at the centre, red
void styleColorScale(QCPColorScale* scale, const PlotStyle& style);
// A colour bar beside `map`, with the viridis gradient and tick labels from useStepPrecisionTicks.
QCPColorScale* attachColorScale(QCustomPlot* plot, QCPColorMap* map, const QString& label);
// Tick labels with as many significant digits as the tick step needs (at least the axis' own number
// precision), so neighbouring ticks differ on a narrow range: 0.1000000 to 0.1000004 reads 0.1, 0.1000001,
// ... instead of 0.1 five times. Every colour bar gets it (attachColorScale); the data range there is
// whatever the values span, however narrow.
void useStepPrecisionTicks(QCPColorScale* scale);
// Where every plot's legend goes (NtkPlot does it for all of them): in its own layout row under the axes
// rect, never inside it, so no entry can hide a curve, a point or an axis label whatever the data do.
void placeLegendBelow(QCustomPlot* plot);
// As many legend columns as the plot's width holds (at least one), so the legend stays inside the widget
// and takes as few rows as it can; NtkPlot calls it before each replot.
bool fitLegendColumns(QCustomPlot* plot); // true when it changed the legend
// Category labels (a text ticker on the x axis) that never run into each other: broken into up to three
// lines to fit between neighbouring ticks, or, when a word is wider than that, only every second (third,
// ...) label shown. NtkPlot calls it before each replot and after each layout.
bool fitCategoryLabels(QCustomPlot* plot); // true when it changed the labels
// Whether tick labels in `font` would name more categories than fitCategoryLabels could with the axis'
// font: then smaller text reads better than runs without a name.
bool categoryLabelsShowMoreIn(QCustomPlot* plot, const QFont& font);
QString epochTitle(const QString& what, int epoch);
// How a setting's key ("l2", "test_n") reads on a plot: a name for axis labels ("L2 strength λ₂") and a
// symbol for "symbol = value" in legends and ticks ("λ₂"), as the controls name them.
QString settingName(const QString& key);
QString settingSymbol(const QString& key);
// A scene run's label ("l2 = 0.001, width = 64") with its keys shown as settingSymbol ("λ₂ = 0.001, ...").
QString displayRunLabel(const QString& label);
// Epoch axes: ticks only on whole epochs (0, 1, 2 early in a run; 0, 50, 100 later).
void useIntegerTicks(QCPAxis* axis);
// Why the theory views (spectral bias, filter) have nothing to draw yet for the run in `history`: no run,
// no NTK at epoch 0, too many points, or epoch 0's theory still being computed after the first frame.
QString theoryMissingNote(const RunHistory& history);
// For a run whose latest kernel was solved as an operator (above Trainer::maxDenseKernelPoints), the line
// "n = 60,000: the kernel is solved as an operator, never formed;" followed by `why` on its own line;
// empty for a run with the kernel's matrix.
QString kernelNotFormedText(const RunHistory& history, const QString& why);

} // namespace ntk
