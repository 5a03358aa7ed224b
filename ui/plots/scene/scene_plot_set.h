#pragma once
// The plots of the scene page, one named member each, so the page places each plot by what it shows rather
// than by its position in a list. Each draws the runs of one scene (SceneResults), one colour per run.
#include "epoch_overlay_plot.h"
#include "spectra_overlay_plot.h"
#include "strip_plot.h"
#include "summary_plot.h"
#include "trajectory_plot.h"

#include <vector>

namespace ntk {

struct ScenePlotSet {
    StripPlot* strip = nullptr;            // final eigenvalues, one column per run
    SpectraOverlayPlot* spectra = nullptr; // initial and final spectra of every run
    EpochOverlayPlot* lambdaMax = nullptr; // lambda_max per epoch of every run
    EpochOverlayPlot* loss = nullptr;      // test and train loss per epoch of every run
    SummaryPlot* summary = nullptr;        // a metric against the varied setting
    TrajectoryPlot* trajectory = nullptr;  // lambda_max against the loss, or the eigenvalue CDF

    // Every plot, in the order above (the order of exported figures).
    std::vector<ComparisonPlot*> all() const;
};

// Creates the scene plots as children of `parent`.
ScenePlotSet createScenePlots(QWidget* parent = nullptr);

} // namespace ntk
