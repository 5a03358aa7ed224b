// SpectraOverlayPlot: every run's spectra overlaid (see spectra_overlay_plot.h).
#include "spectra_overlay_plot.h"

#include "plot_helpers.h"

namespace ntk {

SpectraOverlayPlot::SpectraOverlayPlot(QWidget* parent)
    : ComparisonPlot("scene_spectra", tr("Spectra: initial (dashed) and final"), parent) {
    xAxis->setLabel(tr("index k"));
    yAxis->setLabel(tr("eigenvalue λₖ"));
    legend->setVisible(true);
    setLogScale(true);
}

void SpectraOverlayPlot::rebuild() {
    clearGraphsAndItems();
    configureValueAxis(yAxis, logScale());
    const std::optional<int> epoch = commonFinalEpoch();
    setTitleText(epoch ? tr("Spectra: epoch 0 (dashed) and epoch %1").arg(*epoch) : title());
    for (const RunResult& run : results().runs) {
        const EpochReport* first = run.firstKernel();
        const EpochReport* last = run.finalKernel();
        if (!last)
            continue;
        auto curve = [&](const Eigen::VectorXd& values, const QString& name, Qt::PenStyle pen) {
            QVector<double> keys(values.size()), vals = toQVector(values);
            for (int k = 0; k < values.size(); ++k)
                keys[k] = k + 1;
            filterForAxis(keys, vals, logScale());
            QCPGraph* g =
                addLine(this, name, runColor(run), style().lineWidth() * (pen == Qt::SolidLine ? 1.0 : 0.7),
                        pen == Qt::DashLine);
            g->setData(keys, vals, true);
            return g;
        };
        if (first && first != last)
            curve(first->eigenvalues, {}, Qt::DashLine)->removeFromLegend();
        curve(last->eigenvalues, legendLabel(run), Qt::SolidLine);
    }
    legend->setVisible(graphCount() <= 16);
    finishRanges(this, followsData());
}

} // namespace ntk
