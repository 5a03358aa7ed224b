// SpectralBiasPlot: the residual left along eigenvectors of the initial NTK (see spectral_bias_plot.h).
#include "spectral_bias_plot.h"

#include "plot_helpers.h"
#include "theory.h"
#include "trainer.h"

#include <algorithm>
#include <cmath>

namespace ntk {
namespace {

QString penaltyCaveat(const RunConfig& c) {
    if (c.l2 > 0.0 || c.weightDecay > 0.0)
        return QObject::tr("; the prediction ignores the L2 penalty");
    return {};
}

} // namespace

SpectralBiasPlot::SpectralBiasPlot(QWidget* parent)
    : LivePlot("spectral_bias", tr("Spectral bias"), parent) {
    xAxis->setLabel(tr("epoch"));
    useIntegerTicks(xAxis);
    yAxis->setLabel(tr("residual |vₖᵀrₜ| / |vₖᵀr₀|"));
    for (int i = 0; i < maxDirections; ++i) {
        addLine(this, QString(), PlotStyle::color(i), style().lineWidth());
        QCPGraph* predicted = addLine(this, QString(), PlotStyle::color(i), style().lineWidth() * 0.7, true);
        predicted->removeFromLegend();
    }
    // A/B: the pinned run's measured lines, pale, one per direction (graphs 2 * maxDirections + i).
    for (int i = 0; i < maxDirections; ++i) {
        QColor pale = PlotStyle::color(i);
        pale.setAlpha(90);
        // Up to eight pale lines share one entry that says how to read them: eight more entries would
        // take more room than the plot.
        addLine(this, tr("pinned run: the wide pale line of each k's colour"), pale,
                style().lineWidth() * 1.6)
            ->removeFromLegend();
    }
    legend->setVisible(true);
    setLogScale(true);
    setToolTip(tr("Gradient descent learns the directions of large NTK eigenvalues first. Solid: the share "
                  "of the initial residual (f − y, or softmax − y for cross-entropy) still left along "
                  "eigenvector vₖ of the initial kernel. Dashed: the linearized network's prediction "
                  "|1 − ηκₖ/(nO)|ᵗ with κₖ = λₖ/O, for full-batch gradient descent."));
}

void SpectralBiasPlot::drawPinned(int direction, QCPGraph* graph, bool inLegend) {
    const RunHistory* pinned = reference();
    if (!pinned || pinned->initialResidualEnergy().size() <= direction)
        return;
    const std::vector<int>& followed = pinned->followedDirections();
    const auto at = std::find(followed.begin(), followed.end(), direction);
    const double initial = pinned->initialResidualEnergy()(direction);
    if (at == followed.end() || !(initial > 0.0))
        return;
    const Eigen::Index column = Eigen::Index(at - followed.begin());
    QVector<double> epochs, values;
    for (const auto& [epoch, energy] : pinned->followedEnergy()) {
        epochs << epoch;
        values << std::sqrt(energy(column) / initial);
    }
    filterForAxis(epochs, values, logScale());
    graph->setData(epochs, values, true);
    graph->setVisible(true);
    if (inLegend)
        graph->addToLegend();
}

void SpectralBiasPlot::rebuild(const RunHistory& history) {
    configureValueAxis(yAxis, logScale());
    const Eigen::VectorXd& initial = history.initialResidualEnergy();
    const std::vector<int>& directions = history.followedDirections();
    for (int i = 0; i < graphCount(); ++i) {
        graph(i)->data()->clear();
        graph(i)->setVisible(false);
        graph(i)->removeFromLegend();
    }
    if (!history.hasRun() || initial.size() == 0) {
        setTitleText(tr("Spectral bias"));
        // Once the run has reported, the reason stands in for empty axes; before, it is a note.
        const bool reported = history.hasRun() && !history.reports().empty();
        setWaitingText(reported ? theoryMissingNote(history) : QString());
        setNote(reported ? QString() : theoryMissingNote(history));
        return;
    }
    setWaitingText({});
    const RunInfo& info = history.info();
    const RunConfig& c = info.config;
    const bool predicts = linearizedDynamicsApply(c, info.trainSize);
    const Eigen::VectorXd& lambdas = history.initialSpectrum();
    const double total = initial.sum();
    int shown = 0;
    for (std::size_t i = 0; i < directions.size() && shown < maxDirections; ++i) {
        const int k = directions[i];
        if (k >= initial.size() || !(initial(k) > negligibleShare * total))
            continue;
        QVector<double> epochs, measured, predicted;
        for (const auto& [epoch, energy] : history.followedEnergy()) {
            epochs << epoch;
            measured << std::sqrt(energy(Eigen::Index(i)) / initial(k));
            if (predicts && k < lambdas.size())
                predicted << linearizedDecay(lambdas(k), c.learningRate, info.trainSize, info.outputs, epoch);
        }
        QCPGraph* solid = graph(2 * shown);
        QCPGraph* dashed = graph(2 * shown + 1);
        QVector<double> keys = epochs;
        filterForAxis(keys, measured, logScale());
        solid->setData(keys, measured, true);
        solid->setName(k < lambdas.size() ? tr("k = %1 (λ %2)").arg(k + 1).arg(lambdas(k), 0, 'g', 3)
                                          : tr("k = %1").arg(k + 1));
        solid->setVisible(true);
        solid->addToLegend();
        if (predicts && k < lambdas.size()) {
            keys = epochs;
            filterForAxis(keys, predicted, logScale());
            dashed->setData(keys, predicted, true);
            dashed->setVisible(true);
        }
        drawPinned(k, graph(2 * maxDirections + shown), shown == 0);
        ++shown;
    }
    const int epoch = history.latestResidualEnergy().first;
    setTitleText(epochTitle(tr("Spectral bias"), epoch));
    QString note = predicts ? tr("solid: measured; dashed: linearized prediction") + penaltyCaveat(c)
                            : tr("measured only: the prediction is for plain full-batch GD without L1");
    if (predicts && c.loss == LossKind::CrossEntropy)
        note += tr("; for cross-entropy it holds while predictions are near uniform");
    setNote(note);
    if (followsData()) {
        rescaleAxes(true);
        if (logScale() && yAxis->range().lower < 1e-6)
            yAxis->setRangeLower(1e-6); // below this the lines are round-off, not learning
        ensureDrawableRange(xAxis);
        ensureDrawableRange(yAxis);
    }
}

} // namespace ntk
