#pragma once
// The live plots of the main window, one named member each, so the window places each plot by what it
// shows rather than by its position in a list. Each one reads a RunHistory and draws; none computes
// anything about the kernel.
#include "eigenfunction_plot.h"
#include "kernel_matrix_plot.h"
#include "layer_share_plot.h"
#include "prediction_plot.h"
#include "series_plot.h"
#include "sharpness_plot.h"
#include "spectral_bias_plot.h"
#include "spectral_filter_plot.h"
#include "spectrum_heatmap_plot.h"
#include "spectrum_plot.h"

#include <vector>

namespace ntk {

struct LivePlotSet {
    SpectrumPlot* spectrum = nullptr;               // eigenvalues of the latest kernel epoch
    SeriesPlot* lambdaMax = nullptr;                // lambda_max per epoch, with the stability edge
    SeriesPlot* trace = nullptr;                    // the trace per epoch
    SeriesPlot* loss = nullptr;                     // train and test loss and accuracy
    SpectrumHeatmapPlot* spectrumHeatmap = nullptr; // the spectrum over epochs
    KernelMatrixPlot* kernelMatrix = nullptr;       // the kernel matrix ordered by class
    PredictionPlot* predictions = nullptr;          // decision regions or regression curve
    EigenfunctionPlot* eigenfunctions = nullptr;    // the top eigenvectors as functions of the input
    SeriesPlot* lazyRich = nullptr;                 // kernel distance from init and kernel-target alignment
    LayerSharePlot* layerShares = nullptr;          // each layer's share of the trace over epochs
    SpectralBiasPlot* spectralBias = nullptr;       // residual left along eigenvectors of the initial NTK
    SpectralFilterPlot* spectralFilter = nullptr;   // share of the target fitted per eigenvalue
    SeriesPlot* linearized = nullptr;               // the network's losses beside its linearization's
    SharpnessPlot* sharpness = nullptr;             // the Hessian's top eigenvalue against 2/lr

    // Every plot, in the order above (the order of the export menu and of exported figures).
    std::vector<LivePlot*> all() const;
};

// Creates the live plots as children of `parent`.
LivePlotSet createLivePlots(QWidget* parent);

} // namespace ntk
