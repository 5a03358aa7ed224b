// EpochOverlayPlot: a per-epoch quantity of every run (see epoch_overlay_plot.h).
#include "epoch_overlay_plot.h"

#include "plot_helpers.h"

namespace ntk {

EpochOverlayPlot::EpochOverlayPlot(Quantity quantity, QWidget* parent)
    : ComparisonPlot(quantity == Quantity::LambdaMax ? "scene_lambda_max" : "scene_loss",
                     quantity == Quantity::LambdaMax ? tr("Largest eigenvalue over epochs")
                                                     : tr("Test (solid) and train (dashed) loss"),
                     parent)
    , quantity_(quantity) {
    xAxis->setLabel(tr("epoch"));
    useIntegerTicks(xAxis);
    yAxis->setLabel(quantity == Quantity::LambdaMax ? tr("λₘₐₓ") : tr("loss"));
    legend->setVisible(true);
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
        if (quantity_ == Quantity::LambdaMax) {
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
}

} // namespace ntk
