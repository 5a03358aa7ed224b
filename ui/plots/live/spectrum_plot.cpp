// SpectrumPlot: the NTK eigenvalues of the latest epoch against their index (see spectrum_plot.h).
#include "spectrum_plot.h"

#include "plot_helpers.h"
#include "precision.h"

#include <utility>

namespace ntk {

SpectrumPlot::SpectrumPlot(QWidget* parent)
    : LivePlot("spectrum", tr("NTK eigenvalues"), parent) {
    xAxis->setLabel(tr("index k (largest first)"));
    yAxis->setLabel(tr("eigenvalue λₖ"));
    addLine(this, tr("current"), PlotStyle::color(0), style().lineWidth());
    addLine(this, tr("initialization"), PlotStyle::referenceColor(), style().lineWidth(), true);
    addLine(this, tr("infinite width"), PlotStyle::color(4), style().lineWidth(), true);
    graph(2)->setVisible(false);
    addLine(this, tr("pinned run"), PlotStyle::color(3), style().lineWidth(), true);
    graph(3)->setVisible(false);
    graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, style().markerSize()));
    legend->setVisible(true);
    setLogScale(true);
}

void SpectrumPlot::rebuild(const RunHistory& history) {
    configureValueAxis(yAxis, logScale());
    const auto& [epoch, values] = history.latestSpectrum();
    if (epoch < 0) {
        graph(0)->data()->clear();
        graph(1)->data()->clear();
        setTitleText(title()); // a short title that fits; what is missing goes in the note
        setNote(tr("no kernel computed yet"));
        return;
    }
    // On the log axis, eigenvalues below the kernel's round-off floor are left out like those <= 0: a
    // single-precision kernel would otherwise draw a tail of noise where the double one has 1e-15.
    // Returns how many values were left out: {<= 0 or non-finite, below the floor}.
    auto series = [&](const Eigen::VectorXd& v, QCPGraph* g, double relativeFloor = 0.0) {
        const double floor = logScale() && v.size() > 0 ? relativeFloor * v.maxCoeff() : 0.0;
        QVector<double> keys, vals;
        int belowFloor = 0;
        for (Eigen::Index i = 0; i < v.size(); ++i) {
            if (v[i] > 0 && v[i] < floor) {
                ++belowFloor;
                continue;
            }
            keys << double(i + 1);
            vals << v[i];
        }
        const int dropped = filterForAxis(keys, vals, logScale());
        g->setData(keys, vals, true);
        return std::pair{dropped, belowFloor};
    };
    const double floor = roundOffFloor(history.info().config.kernelPrecision);
    const auto [dropped, droppedBelowFloor] = series(values, graph(0), floor);
    series(history.initialSpectrum(), graph(1), floor);
    const Eigen::VectorXd& limit = history.info().analyticSpectrum;
    series(limit, graph(2));
    graph(2)->setVisible(limit.size() > 0);
    if (graph(2)->visible())
        graph(2)->addToLegend();
    else
        graph(2)->removeFromLegend();
    const RunHistory* pinned = reference();
    graph(3)->setVisible(pinned && pinned->latestSpectrum().first >= 0);
    if (graph(3)->visible()) {
        series(pinned->latestSpectrum().second, graph(3),
               roundOffFloor(pinned->info().config.kernelPrecision));
        graph(3)->setName(tr("pinned: epoch %1").arg(pinned->latestSpectrum().first));
        graph(3)->addToLegend();
    } else {
        graph(3)->removeFromLegend();
    }
    graph(0)->setName(tr("epoch %1").arg(epoch));
    graph(0)->setScatterStyle(QCPScatterStyle(
        values.size() <= 300 ? QCPScatterStyle::ssDisc : QCPScatterStyle::ssNone, style().markerSize()));
    const bool partial =
        history.info().config.topK > 0 && history.info().config.topK < history.info().trainSize;
    setTitleText(
        epochTitle(partial ? tr("Top %1 NTK eigenvalues").arg(values.size()) : tr("NTK eigenvalues"), epoch));
    QStringList notes;
    if (dropped > 0)
        notes << (dropped == 1 ? tr("1 eigenvalue ≤ 0 (round-off)")
                               : tr("%1 eigenvalues ≤ 0 (round-off)").arg(dropped));
    if (droppedBelowFloor > 0)
        notes << tr("%1 below %2·λₘₐₓ (single-precision round-off)")
                     .arg(droppedBelowFloor)
                     .arg(floor, 0, 'g', 2);
    setNote(notes.isEmpty() ? QString() : notes.join(tr(" and ")) + tr(" not shown on the log axis"));
    if (followsData()) {
        rescaleAxes();
        ensureDrawableRange(xAxis);
        ensureDrawableRange(yAxis);
    }
}

} // namespace ntk
