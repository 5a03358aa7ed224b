// LayerSharePlot: stacked per-layer shares of the trace (see layer_share_plot.h).
#include "layer_share_plot.h"

#include "plot_helpers.h"
#include "plot_style.h"

namespace ntk {

LayerSharePlot::LayerSharePlot(QWidget* parent)
    : LivePlot("layer_shares", tr("Each layer's share of the trace"), parent) {
    xAxis->setLabel(tr("epoch"));
    yAxis->setLabel(tr("share of the trace Σλₖ"));
    useIntegerTicks(xAxis);
    // Shares in quarters up to the whole: the automatic ticker chose 0, 0.3, 0.6, 0.9 and no 1.
    auto quarters = QSharedPointer<QCPAxisTickerFixed>::create();
    quarters->setTickStep(0.25);
    quarters->setScaleStrategy(QCPAxisTickerFixed::ssNone);
    yAxis->setTicker(quarters);
    legend->setVisible(true);
    setToolTip(tr("The NTK is a sum over layers, Θ = Σₗ Θₗ, with Θₗ from the gradients of layer l's "
                  "weights and biases alone. Each band is one layer's share trace(Θₗ)/trace(Θ), from the "
                  "exact diagonal of its kernel. A band that grows is a layer whose gradients carry more of "
                  "the kernel, and so more of how fast the network learns."));
}

void LayerSharePlot::ensureBands(int layers) {
    if (graphCount() == layers)
        return;
    clearGraphs();
    for (int l = 0; l < layers; ++l) {
        const QString name = l == 0            ? tr("layer 1 (from the input)")
                             : l == layers - 1 ? tr("layer %1 (output)").arg(l + 1)
                                               : tr("layer %1").arg(l + 1);
        QColor color = PlotStyle::color(l);
        QCPGraph* band = addLine(this, name, color, style().lineWidth());
        color.setAlpha(110);
        band->setBrush(color);
        // Each band is filled down to the one below it (the first down to zero).
        if (l > 0)
            band->setChannelFillGraph(graph(l - 1));
    }
}

void LayerSharePlot::rebuild(const RunHistory& history) {
    int layers = 0;
    for (const EpochReport& r : history.reports())
        if (r.hasKernel)
            layers = std::max(layers, int(r.layerTraces.size()));
    ensureBands(layers);
    if (layers == 0) {
        setTitleText(tr("Each layer's share of the trace"));
        setNote(history.hasRun() && history.info().config.ntkEvery == 0 ? tr("NTK off (ntk-every 0)")
                                                                        : QString());
        return;
    }
    std::vector<QVector<double>> tops(static_cast<std::size_t>(layers));
    QVector<double> epochs;
    for (const EpochReport& r : history.reports()) {
        if (!r.hasKernel || r.layerTraces.size() != layers || !(r.kernel.trace > 0))
            continue;
        epochs << r.epoch;
        double cumulative = 0.0;
        for (int l = 0; l < layers; ++l) {
            cumulative += r.layerTraces(l) / r.kernel.trace;
            tops[std::size_t(l)] << cumulative;
        }
    }
    for (int l = 0; l < layers; ++l)
        graph(l)->setData(epochs, tops[std::size_t(l)], true);
    // Like the other plots over epochs, the title names the run's latest epoch; the bands end at its
    // latest NTK epoch (every ntk-every-th).
    setTitleText(
        epochTitle(tr("Each layer's share of the trace"), history.latest() ? history.latest()->epoch : 0));
    setNote(QString());
    if (followsData()) {
        rescaleAxes(true);
        // A little above 1, as the accuracy axis does, so that the band's top edge stays in view.
        yAxis->setRange(0.0, 1.05);
        ensureDrawableRange(xAxis);
    }
}

} // namespace ntk
