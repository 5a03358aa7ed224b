// The live plots of the main window and how each series plot is set up (see live_plot_set.h).
#include "live_plot_set.h"

#include "plot_helpers.h"
#include "trainer.h"

namespace ntk {

std::vector<LivePlot*> LivePlotSet::all() const {
    return {spectrum,       lambdaMax, trace,       loss,         spectrumHeatmap, kernelMatrix, predictions,
            eigenfunctions, lazyRich,  layerShares, spectralBias, spectralFilter,  linearized,   sharpness};
}

LivePlotSet createLivePlots(QWidget* parent) {
    using S = SeriesPlot::Series;
    auto kernelValue = [](double KernelSummary::*member) {
        return [member](const EpochReport& r) -> std::optional<double> {
            if (!r.hasKernel)
                return std::nullopt;
            return r.kernel.*member;
        };
    };
    auto* lambdaMax = new SeriesPlot(
        "lambda_max", QObject::tr("Largest eigenvalue"), QObject::tr("λₘₐₓ"),
        {S{QObject::tr("λₘₐₓ"), kernelValue(&KernelSummary::lambdaMax), PlotStyle::color(0)}}, parent);
    auto* trace = new SeriesPlot(
        "trace", QObject::tr("Trace"), QObject::tr("trace Σλₖ"),
        {S{QObject::tr("trace"), kernelValue(&KernelSummary::trace), PlotStyle::color(2)}}, parent);
    auto* loss = new SeriesPlot(
        "loss", QObject::tr("Loss and accuracy"), QObject::tr("loss"),
        {S{QObject::tr("train loss"),
           [](const EpochReport& r) -> std::optional<double> { return r.trainLoss; },
           PlotStyle::trainColor()},
         S{QObject::tr("test loss"), [](const EpochReport& r) { return r.testLoss; }, PlotStyle::testColor()},
         S{QObject::tr("train accuracy"), [](const EpochReport& r) { return r.trainAccuracy; },
           PlotStyle::trainColor(), true, true},
         S{QObject::tr("test accuracy"), [](const EpochReport& r) { return r.testAccuracy; },
           PlotStyle::testColor(), true, true}},
        parent);
    auto* lazy = new SeriesPlot(
        "kernel_motion", QObject::tr("Lazy or rich training"), QObject::tr("value"),
        {S{QObject::tr("kernel distance"),
           [](const EpochReport& r) { return r.hasKernel ? r.kernel.kernelDistance : std::nullopt; },
           PlotStyle::color(3)},
         S{QObject::tr("kernel-target alignment"),
           [](const EpochReport& r) { return r.hasKernel ? r.kernel.targetAlignment : std::nullopt; },
           PlotStyle::color(2)}},
        parent);
    lazy->setToolTip(
        QObject::tr("Kernel distance 1 − ⟨Θ₀,Θ⟩/(‖Θ₀‖‖Θ‖): near 0 the network trains lazily, as a fixed "
                    "kernel machine. Alignment ⟨Θ,YYᵀ⟩/(‖Θ‖‖YYᵀ‖): how well the kernel matches the labels."));
    lazy->setEmptyText([](const RunHistory& history) {
        if (history.info().config.ntkEvery <= 0)
            return QObject::tr("needs the NTK (NTK every K > 0)");
        return kernelNotFormedText(history,
                                   QObject::tr("the kernel distance and alignment need the whole matrix"));
    });
    loss->setSecondaryAxisLabel(QObject::tr("accuracy (dashed)"));
    loss->setShowStopMarkers(true);
    lambdaMax->setShowStopMarkers(true);
    lambdaMax->setShowStabilityEdge(true);
    lambdaMax->setToolTip(QObject::tr(
        "Purple: the edge of stability of gradient descent on the linearized network for decoupled outputs, "
        "2nO²/η for mse (loss 1/(2nO)·Σ(f−y)²) and 4nO/η for cross-entropy (mean over n points; the softmax "
        "curvature is at most 1/2). The plot shows the kernel K summed over the O outputs. If the outputs "
        "were decoupled (the infinite-width limit), each would train under K/O and the linearized step would "
        "be stable below the line. At finite width the λₘₐₓ of the full nO×nO kernel Θ can exceed "
        "λₘₐₓ(K)/O, so the line is where instability starts for decoupled outputs (for cross-entropy, at "
        "worst over the softmax probabilities), not a guarantee. For mse it holds one way for any network: "
        "above the line the linearized step is unstable, since λₘₐₓ(Θ) ≥ λₘₐₓ(K)/O. Dashed: λₘₐₓ of the "
        "infinite-width NTK."));
    lambdaMax->setLimitLine(
        [](const RunInfo& info) -> std::optional<double> {
            if (info.analyticSpectrum.size() == 0)
                return std::nullopt;
            return info.analyticSpectrum.maxCoeff();
        },
        QObject::tr("infinite width"));
    // The whole analytic kernel's trace: the spectrum above may be only its top-k.
    trace->setLimitLine([](const RunInfo& info) { return info.analyticTrace; },
                        QObject::tr("infinite width"));
    trace->setToolTip(QObject::tr("Σλₖ: the sum of all eigenvalues. Dashed: the trace of the "
                                  "infinite-width NTK of the same architecture on the same points."));
    auto* linearized = new SeriesPlot(
        "linearized", QObject::tr("Network vs its linearization"), QObject::tr("loss"),
        {S{QObject::tr("network, train"),
           [](const EpochReport& r) -> std::optional<double> { return r.trainLoss; },
           PlotStyle::trainColor()},
         S{QObject::tr("network, test"), [](const EpochReport& r) { return r.testLoss; },
           PlotStyle::testColor()},
         S{QObject::tr("linearized, train"), [](const EpochReport& r) { return r.linearizedTrainLoss; },
           PlotStyle::trainColor(), false, true},
         S{QObject::tr("linearized, test"), [](const EpochReport& r) { return r.linearizedTestLoss; },
           PlotStyle::testColor(), false, true}},
        parent);
    linearized->setShowStopMarkers(true);
    linearized->setMissingNote(2, [](const RunInfo& info) {
        return info.trainSize > Trainer::maxTheoryPoints
                   ? QObject::tr("no linearization above n = %1").arg(Trainer::maxTheoryPoints)
                   : QObject::tr("linearization shown for plain full-batch GD without L1, with the NTK at "
                                 "epoch 0");
    });
    linearized->setToolTip(QObject::tr(
        "Dashed: the network's first-order Taylor expansion at initialization, trained by the same "
        "gradient descent: kernel regression with the initial NTK (train and train×test kernels). Where "
        "the solid lines leave the dashed ones, the network is no longer a fixed kernel machine. The "
        "linearized model takes L2 (and weight decay) as a penalty on the displacement θ − θ₀ from "
        "initialization, over all parameters, while training penalizes θ itself (and leaves the biases "
        "out when penalize_biases is false), so the two can differ when L2 > 0."));
    LivePlotSet plots;
    plots.spectrum = new SpectrumPlot(parent);
    plots.lambdaMax = lambdaMax;
    plots.trace = trace;
    plots.loss = loss;
    plots.spectrumHeatmap = new SpectrumHeatmapPlot(parent);
    plots.kernelMatrix = new KernelMatrixPlot(parent);
    plots.predictions = new PredictionPlot(parent);
    plots.eigenfunctions = new EigenfunctionPlot(parent);
    plots.lazyRich = lazy;
    plots.layerShares = new LayerSharePlot(parent);
    plots.spectralBias = new SpectralBiasPlot(parent);
    plots.spectralFilter = new SpectralFilterPlot(parent);
    plots.linearized = linearized;
    plots.sharpness = new SharpnessPlot(parent);
    return plots;
}

} // namespace ntk
