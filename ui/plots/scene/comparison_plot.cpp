// ComparisonPlot: what every scene plot shares (see comparison_plot.h).
#include "comparison_plot.h"

#include <algorithm>

namespace ntk {

void ComparisonPlot::clearGraphsAndItems() {
    clearGraphs();
    clearPlottables();
    clearItems();
}

QColor ComparisonPlot::runColor(const RunResult& run) const {
    const int count = int(results().scene.runs.size());
    if (count <= 7)
        return PlotStyle::color(run.index);
    // Many runs: an ordered colour ramp, so neighbouring settings get neighbouring colours.
    const double t = double(run.index) / std::max(1, count - 1);
    return QColor::fromHsvF(0.66 * (1.0 - t), 0.85, 0.8 - 0.2 * t);
}

} // namespace ntk
