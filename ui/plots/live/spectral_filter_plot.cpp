// SpectralFilterPlot: the share of the target fitted per eigenvalue, beside the filters (see
// spectral_filter_plot.h).
#include "spectral_filter_plot.h"

#include "plot_helpers.h"
#include "theory.h"
#include "trainer.h"

#include <algorithm>
#include <cmath>

namespace ntk {

SpectralFilterPlot::SpectralFilterPlot(QWidget* parent)
    : LivePlot("spectral_filter", tr("Spectral filter"), parent) {
    xAxis->setLabel(tr("eigenvalue λₖ of the initial NTK"));
    yAxis->setLabel(tr("share fitted along vₖ"));
    xAxis->setScaleType(QCPAxis::stLogarithmic);
    useSparseLogTicks(xAxis);
    QCPGraph* measured = addLine(this, tr("measured"), PlotStyle::color(0), 0.0);
    measured->setLineStyle(QCPGraph::lsNone);
    measured->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, style().markerSize()));
    addLine(this, tr("early stopping"), PlotStyle::color(1), style().lineWidth());
    addLine(this, tr("ridge"), PlotStyle::color(2), style().lineWidth(), true);
    QCPGraph* pinned = addLine(this, tr("pinned run, measured"), PlotStyle::color(3), 0.0);
    pinned->setLineStyle(QCPGraph::lsNone);
    pinned->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, style().markerSize() * 1.3));
    legend->setVisible(true);
    setToolTip(tr("Early stopping and L2 both act as filters on the NTK's eigen-directions. Dots: the "
                  "share of the initial residual removed along eigenvector vₖ so far, "
                  "1 − |vₖᵀrₜ|/|vₖᵀr₀|. Early stopping after t steps of gradient descent fits "
                  "1 − (1 − ηκₖ/(nO))ᵗ; ridge regression with λ₂·Σθ² on the displacement from "
                  "initialization fits κₖ/(κₖ + 2nOλ₂), with κₖ = λₖ/O. Like the linearized model, the "
                  "ridge filter takes L2 (and weight decay) as a penalty on the displacement θ − θ₀ from "
                  "initialization, over all parameters, while training penalizes θ itself (and leaves the "
                  "biases out when penalize_biases is false), so the dots can differ from it when L2 > 0."));
}

void SpectralFilterPlot::rebuild(const RunHistory& history) {
    for (int i = 0; i < graphCount(); ++i)
        graph(i)->data()->clear();
    const Eigen::VectorXd& initial = history.initialResidualEnergy();
    const Eigen::VectorXd& lambdas = history.initialSpectrum();
    const auto& [epoch, latest] = history.latestResidualEnergy();
    if (!history.hasRun() || initial.size() == 0 || lambdas.size() == 0) {
        setTitleText(tr("Spectral filter"));
        // Once the run has reported, the reason stands in for empty axes; before, it is a note.
        const bool reported = history.hasRun() && !history.reports().empty();
        setWaitingText(reported ? theoryMissingNote(history) : QString());
        setNote(reported ? QString() : theoryMissingNote(history));
        return;
    }
    setWaitingText({});
    const RunInfo& info = history.info();
    const RunConfig& c = info.config;
    const double total = initial.sum();
    const double l2 = c.l2 + 0.5 * c.weightDecay; // decoupled decay lr*wd per step shrinks like l2 = wd/2
    const bool predicts = linearizedDynamicsApply(c, info.trainSize);
    QVector<double> x, measured, measuredX, early, ridge;
    const Eigen::Index count = std::min(lambdas.size(), std::min(initial.size(), latest.size()));
    // Eigenvalues at round-off level (relative to the largest) would stretch the axis over empty decades.
    const double floor = 1e-8 * lambdas(0);
    for (Eigen::Index k = 0; k < count; ++k) {
        if (!(lambdas(k) > floor))
            continue;
        x << lambdas(k);
        early << earlyStoppingFilter(lambdas(k), c.learningRate, info.trainSize, info.outputs, epoch);
        ridge << ridgeFilter(lambdas(k), l2, info.trainSize, info.outputs);
        if (initial(k) > negligibleShare * total) {
            measuredX << lambdas(k);
            measured << 1.0 - std::sqrt(latest(k) / initial(k));
        }
    }
    graph(0)->setData(measuredX, measured);
    // A/B: the pinned run's measured shares over its own initial eigenvalues.
    const RunHistory* pinned = reference();
    QVector<double> pinnedX, pinnedY;
    if (pinned && pinned->initialSpectrum().size() > 0) {
        const Eigen::VectorXd& e0 = pinned->initialResidualEnergy();
        const Eigen::VectorXd& et = pinned->latestResidualEnergy().second;
        const Eigen::VectorXd& l0 = pinned->initialSpectrum();
        const Eigen::Index m = std::min({e0.size(), et.size(), l0.size()});
        const double pinnedTotal = e0.sum();
        for (Eigen::Index k = 0; k < m; ++k)
            if (l0(k) > 1e-8 * l0(0) && e0(k) > negligibleShare * pinnedTotal) {
                pinnedX << l0(k);
                pinnedY << 1.0 - std::sqrt(et(k) / e0(k));
            }
    }
    graph(3)->setData(pinnedX, pinnedY);
    graph(3)->setVisible(!pinnedX.isEmpty());
    if (graph(3)->visible())
        graph(3)->addToLegend();
    else
        graph(3)->removeFromLegend();
    graph(1)->setData(x, early);
    graph(1)->setName(tr("early stopping at epoch %1").arg(epoch));
    graph(1)->setVisible(predicts);
    graph(2)->setData(x, ridge);
    graph(2)->setName(tr("ridge on θ − θ₀, λ₂ = %1").arg(l2, 0, 'g', 3));
    graph(2)->setVisible(l2 > 0.0);
    for (int i = 1; i < 3; ++i) {
        if (graph(i)->visible())
            graph(i)->addToLegend();
        else
            graph(i)->removeFromLegend();
    }
    setTitleText(epochTitle(tr("Spectral filter"), epoch));
    QStringList notes;
    if (!predicts)
        notes << tr("no early-stopping filter: it is for plain full-batch GD without L1");
    if (l2 == 0.0)
        notes << tr("L2 = 0: the ridge filter is 1 everywhere");
    setNote(notes.join("; "));
    if (followsData()) {
        rescaleAxes(true);
        // A residual that grew gives a negative share; show it, but not so far down that the filters flatten.
        yAxis->setRange(std::clamp(yAxis->range().lower, -1.0, -0.05), 1.05);
        ensureDrawableRange(xAxis);
    }
}

} // namespace ntk
