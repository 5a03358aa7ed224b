// SpectrumPlot: the NTK eigenvalues of the latest epoch against their index (see spectrum_plot.h).
#include "spectrum_plot.h"

#include "plot_helpers.h"
#include "precision.h"

#include <cmath>
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
    // A matrix-free run's density read as a spectrum: k(λ), the estimated number of eigenvalues ≥ λ, so the
    // exact top-k dots continue as the whole spectrum down to k = n.
    addLine(this, tr("density estimate"), PlotStyle::color(1), style().lineWidth());
    graph(4)->setVisible(false);
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
        graph(4)->data()->clear();
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
    const EpochReport* withDensity = history.latestWithDensity();
    const bool wholeSpectrum =
        withDensity && withDensity->density && withDensity->density->atOrAbove.size() > 0;
    configureValueAxis(xAxis, wholeSpectrum); // k runs from 1 to n: a log axis shows the top and the bulk
    graph(4)->setVisible(wholeSpectrum);
    if (wholeSpectrum) {
        const SpectralDensity& density = *withDensity->density;
        QVector<double> keys, vals;
        for (Eigen::Index g = density.atOrAbove.size() - 1; g >= 0; --g)
            if (density.atOrAbove(g) >= 1.0) { // from the first whole eigenvalue down
                keys << density.atOrAbove(g);
                vals << std::pow(10.0, density.log10Lambda(g));
            }
        graph(4)->setData(keys, vals, true);
        graph(4)->setName(
            tr("all %L1, from the density (epoch %2)").arg(history.info().trainSize).arg(withDensity->epoch));
        graph(4)->addToLegend();
    } else {
        graph(4)->data()->clear();
        graph(4)->removeFromLegend();
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
