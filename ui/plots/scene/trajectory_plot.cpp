// TrajectoryPlot: λₘₐₓ against the loss, or the eigenvalue distribution (see trajectory_plot.h).
#include "trajectory_plot.h"

#include "plot_helpers.h"

#include <algorithm>
#include <cmath>

namespace ntk {

TrajectoryPlot::TrajectoryPlot(QWidget* parent)
    : ComparisonPlot("scene_trajectory", tr("λₘₐₓ against training loss"), parent) {
    legend->setVisible(true);
}

void TrajectoryPlot::setMode(Mode mode) {
    mode_ = mode;
    resetView();
}

void TrajectoryPlot::rebuild() {
    clearGraphsAndItems();
    configureValueAxis(yAxis, logScale() && mode_ == Mode::LambdaVsLoss);
    if (mode_ == Mode::LambdaVsLoss) {
        setTitleText(tr("λₘₐₓ against train loss"));
        // Not "starts on the right": a run beyond the kernel's edge of stability (a catapult) starts at a
        // small loss, shoots to the right and comes back.
        setNote(tr("a dot marks where each run starts"));
        xAxis->setLabel(tr("train loss"));
        yAxis->setLabel(tr("λₘₐₓ"));
        xAxis->setRangeReversed(false);
        for (const RunResult& run : results().runs) {
            // A parametric curve: QCPCurve keeps the order of training, not the order of x.
            auto* curve = new QCPCurve(xAxis, yAxis);
            curve->setName(legendLabel(run));
            curve->setPen(QPen(runColor(run), style().lineWidth()));
            QVector<double> t, x, y;
            for (const EpochReport& r : run.reports())
                if (r.hasKernel && std::isfinite(r.trainLoss) && (!logScale() || r.kernel.lambdaMax > 0)) {
                    t << r.epoch;
                    x << r.trainLoss;
                    y << r.kernel.lambdaMax;
                }
            curve->setData(t, x, y);
            // An epoch or two is a point or two: markers, not a line that looks like a trend.
            if (t.size() < 3) {
                curve->setLineStyle(QCPCurve::lsNone);
                curve->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, style().markerSize() * 1.4));
            } else {
                QCPGraph* start = addGraph();
                start->setPen(QPen(runColor(run), style().lineWidth()));
                start->setLineStyle(QCPGraph::lsNone);
                start->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, style().markerSize() * 1.4));
                start->setData(QVector<double>{x.front()}, QVector<double>{y.front()}, true);
                start->removeFromLegend();
            }
        }
    } else {
        setTitleText(tr("Distribution of the final eigenvalues (CDF)"));
        setNote(tr("legend: moments of log₁₀ λ"));
        xAxis->setLabel(tr("log₁₀ λ"));
        // Of the eigenvalues, as the title says: "fraction of eigenvalues ≤ λ" did not fit on two lines
        // beside the legend of moments at 1366×768.
        yAxis->setLabel(tr("fraction ≤ λ"));
        for (const RunResult& run : results().runs) {
            const EpochReport* last = run.finalKernel();
            if (!last)
                continue;
            QVector<double> keys, vals;
            if (last->density) { // solved matrix-free: the whole spectrum by its density
                const SpectralDensity& density = *last->density;
                const double n = run.trainSize();
                for (Eigen::Index g = 0; g < density.log10Lambda.size(); ++g) {
                    keys << density.log10Lambda(g);
                    vals << 1.0 - density.atOrAbove(g) / n;
                }
            } else {
                std::vector<double> logs;
                for (double v : last->eigenvalues)
                    if (v > 0)
                        logs.push_back(std::log10(v));
                std::sort(logs.begin(), logs.end());
                for (std::size_t i = 0; i < logs.size(); ++i) {
                    keys << logs[i];
                    vals << double(i + 1) / double(last->eigenvalues.size());
                }
            }
            const Moments m = logSpectrumMoments(run);
            QCPGraph* g = addLine(this,
                                  tr("%1 (mean %2, var %3, skew %4, kurt %5)")
                                      .arg(legendLabel(run))
                                      .arg(m.mean, 0, 'f', 2)
                                      .arg(m.variance, 0, 'f', 2)
                                      .arg(m.skewness, 0, 'f', 2)
                                      .arg(m.kurtosis, 0, 'f', 2),
                                  runColor(run), style().lineWidth());
            g->setLineStyle(last->density ? QCPGraph::lsLine
                                          : QCPGraph::lsStepLeft); // smooth, or one step each
            g->setData(keys, vals, true);
        }
    }
    legend->setVisible(plottableCount() <= 16);
    finishRanges(this, followsData());
}

} // namespace ntk
