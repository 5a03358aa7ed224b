// ComparisonPlot: what every scene plot shares (see comparison_plot.h).
#include "comparison_plot.h"

#include "plot_helpers.h"

#include <algorithm>

namespace ntk {

void ComparisonPlot::clearGraphsAndItems() {
    clearGraphs();
    clearPlottables();
    removeDataItems();
}

void ComparisonPlot::refresh(const SceneResults& results) {
    results_ = &results;
    if (results.runs.empty()) {
        // The first second of a scene: axes with made-up ranges and ticks would read as data.
        clearGraphsAndItems();
        setTitleText(title()); // nothing of the previous scene
        setNote({});
        setWaitingText(results.scene.runs.empty() ? tr("no scene chosen yet")
                                                  : tr("waiting for the first of %n runs to finish…", "",
                                                       int(results.scene.runs.size())));
        replot(rpQueuedReplot);
        return;
    }
    setWaitingText({});
    redraw();
}

std::optional<int> ComparisonPlot::commonFinalEpoch() const {
    std::optional<int> epoch;
    for (const RunResult& run : results().runs) {
        const EpochReport* last = run.finalKernel();
        if (!last || (epoch && *epoch != last->epoch))
            return std::nullopt;
        epoch = last->epoch;
    }
    return epoch;
}

QString ComparisonPlot::atFinalEpoch(const QString& finalLabel) const {
    const QString prefix = tr("final ");
    const std::optional<int> epoch = commonFinalEpoch();
    if (!epoch || !finalLabel.startsWith(prefix))
        return finalLabel;
    return tr("%1 at epoch %2").arg(finalLabel.mid(prefix.size())).arg(*epoch);
}

QString ComparisonPlot::legendLabel(const RunResult& run) const {
    const Scene& scene = results().scene;
    if (scene.seriesKey.isEmpty())
        return displayRunLabel(run.label);
    return QString(run.label).replace(scene.sweepKey + " = ", "").replace(scene.seriesKey + " = ", "");
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
