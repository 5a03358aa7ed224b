// EpochOverlayPlot: a per-epoch quantity of every run (see epoch_overlay_plot.h).
#include "epoch_overlay_plot.h"

#include "plot_helpers.h"

#include <algorithm>

namespace ntk {

namespace {

QString titleOf(EpochOverlayPlot::Quantity quantity) {
    switch (quantity) {
    case EpochOverlayPlot::Quantity::LambdaMax:
        return EpochOverlayPlot::tr("Largest eigenvalue over epochs");
    case EpochOverlayPlot::Quantity::Sharpness:
        return EpochOverlayPlot::tr("Sharpness against the edge of stability");
    case EpochOverlayPlot::Quantity::Loss:
        break;
    }
    return EpochOverlayPlot::tr("Test (solid) and train (dashed) loss");
}

} // namespace

EpochOverlayPlot::EpochOverlayPlot(Quantity quantity, QWidget* parent)
    : ComparisonPlot(quantity == Quantity::Loss ? "scene_loss" : "scene_lambda_max", titleOf(quantity),
                     parent)
    , quantity_(quantity) {
    xAxis->setLabel(tr("epoch"));
    useIntegerTicks(xAxis);
    label();
    legend->setVisible(true);
}

void EpochOverlayPlot::setQuantity(Quantity quantity) {
    if (quantity == quantity_ || quantity == Quantity::Loss || quantity_ == Quantity::Loss)
        return;
    quantity_ = quantity;
    label();
    rebuildNow();
}

void EpochOverlayPlot::label() {
    // The base title, which a scene's first empty frame returns to: the quantity's, not the constructor's.
    setBaseTitle(titleOf(quantity_));
    yAxis->setLabel(quantity_ == Quantity::LambdaMax   ? tr("λₘₐₓ")
                    : quantity_ == Quantity::Sharpness ? tr("λₘₐₓ(H) · η/2")
                                                       : tr("loss"));
}

void EpochOverlayPlot::rebuild() {
    clearGraphsAndItems();
    configureValueAxis(yAxis, logScale());
    for (const RunResult& run : results().runs) {
        auto series = [&](auto value, const QString& name, Qt::PenStyle pen) {
            QVector<double> keys, vals;
            for (const EpochReport& r : run.reports())
                if (const std::optional<double> v = value(r)) {
                    keys << r.epoch;
                    vals << *v;
                }
            filterForAxis(keys, vals, logScale());
            QCPGraph* g =
                addLine(this, name, runColor(run), style().lineWidth() * (pen == Qt::SolidLine ? 1.0 : 0.7),
                        pen == Qt::DashLine);
            g->setData(keys, vals, true);
            // A run of an epoch or two is a point or two, not a trend: markers, no line between them.
            if (keys.size() < 3) {
                g->setLineStyle(QCPGraph::lsNone);
                g->setScatterStyle(QCPScatterStyle(pen == Qt::SolidLine ? QCPScatterStyle::ssDisc
                                                                        : QCPScatterStyle::ssCircle,
                                                   style().markerSize() * 1.4));
            }
            return g;
        };
        if (quantity_ == Quantity::Sharpness) {
            // In units of the run's own edge, so runs with different learning rates share the line at 1.
            const double halfStep = run.config.learningRate / 2.0;
            series(
                [halfStep](const EpochReport& r) {
                    return r.sharpness ? std::optional(*r.sharpness * halfStep) : std::nullopt;
                },
                legendLabel(run), Qt::SolidLine);
        } else if (quantity_ == Quantity::LambdaMax) {
            series(
                [](const EpochReport& r) {
                    return r.hasKernel ? std::optional(r.kernel.lambdaMax) : std::nullopt;
                },
                legendLabel(run), Qt::SolidLine);
        } else {
            series([](const EpochReport& r) { return r.testLoss; }, legendLabel(run), Qt::SolidLine);
            series([](const EpochReport& r) { return std::optional(r.trainLoss); }, {}, Qt::DashLine)
                ->removeFromLegend();
        }
        if (run.state() == RunState::EarlyStopped || run.state() == RunState::Diverged) {
            auto* marker = new QCPItemStraightLine(this);
            marker->setPen(QPen(runColor(run), 1.2, Qt::DotLine));
            marker->point1->setCoords(run.stopEpoch(), 0);
            marker->point2->setCoords(run.stopEpoch(), 1);
            auto* text = new QCPItemText(this);
            text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            text->position->setCoords(run.stopEpoch(), 0.5);
            text->setPositionAlignment(Qt::AlignRight | Qt::AlignVCenter);
            text->setText(run.state() == RunState::EarlyStopped ? tr("early stop %1 ").arg(run.stopEpoch())
                                                                : tr(" diverged %1 ").arg(run.stopEpoch()));
            text->setColor(runColor(run));
            text->setFont(style().legendFont());
        }
        // Early stopping restores the best epoch's parameters: mark where the run's final state comes from.
        if (run.state() == RunState::EarlyStopped && run.bestEpoch() >= 0) {
            auto* best = new QCPItemStraightLine(this);
            best->setPen(QPen(runColor(run), 1.2, Qt::DashLine));
            best->point1->setCoords(run.bestEpoch(), 0);
            best->point2->setCoords(run.bestEpoch(), 1);
            auto* text = new QCPItemText(this);
            text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            text->position->setCoords(run.bestEpoch(), 0.15);
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
            text->setText(tr(" best %1 (restored)").arg(run.bestEpoch()));
            text->setColor(runColor(run));
            text->setFont(style().legendFont());
        }
    }
    legend->setVisible(graphCount() <= 16);
    finishRanges(this, followsData());
    // A run that diverged has no finite point at its last epoch: the axis, fitted to the data, ended before
    // the marker of that epoch and cut its label. The markers stay in view.
    if (followsData())
        for (const RunResult& run : results().runs)
            if (run.state() == RunState::EarlyStopped || run.state() == RunState::Diverged) {
                const QCPRange range = xAxis->range();
                const double wanted = run.stopEpoch() + 0.05 * std::max(1.0, range.size());
                if (wanted > range.upper)
                    xAxis->setRangeUpper(wanted);
            }
    // Marker labels sit beside their line, on the side with more room, so none is cut at the axes' edge
    // (a stop near epoch 0 of a long run had its label cut to "119").
    for (int i = 0; i < itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(item(i))) {
            const QCPRange range = xAxis->range();
            const double at =
                range.size() > 0 ? (text->position->coords().x() - range.lower) / range.size() : 0.5;
            text->setPositionAlignment((at < 0.5 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
            text->setText(' ' + text->text().trimmed() + ' ');
        }
    // The edge is named in the legend, not beside its line: the runs hover on that line, and a label there
    // covered them. A graph spanning the axis, so that the legend shows its dash-dot pen.
    if (quantity_ == Quantity::Sharpness && graphCount() > 0) {
        if (followsData() && !yAxis->range().contains(1.05) && !logScale())
            yAxis->setRange(std::min(0.0, yAxis->range().lower), std::max(1.15, yAxis->range().upper));
        QCPGraph* edge = addGraph();
        edge->setName(tr("edge: 2/η"));
        edge->setPen(QPen(QColor(120, 0, 160), style().lineWidth() * 0.75, Qt::DashDotLine));
        const QCPRange epochs = xAxis->range();
        edge->setData(QVector<double>{epochs.lower, epochs.upper}, QVector<double>{1.0, 1.0}, true);
    }
}

} // namespace ntk
