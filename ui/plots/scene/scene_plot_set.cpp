// The plots of the scene page (see scene_plot_set.h).
#include "scene_plot_set.h"

namespace ntk {

std::vector<ComparisonPlot*> ScenePlotSet::all() const {
    return {strip, spectra, lambdaMax, loss, summary, trajectory};
}

ScenePlotSet createScenePlots(QWidget* parent) {
    ScenePlotSet plots;
    plots.strip = new StripPlot(parent);
    plots.spectra = new SpectraOverlayPlot(parent);
    plots.lambdaMax = new EpochOverlayPlot(EpochOverlayPlot::Quantity::LambdaMax, parent);
    plots.loss = new EpochOverlayPlot(EpochOverlayPlot::Quantity::Loss, parent);
    plots.summary = new SummaryPlot(parent);
    plots.trajectory = new TrajectoryPlot(parent);
    return plots;
}

} // namespace ntk
