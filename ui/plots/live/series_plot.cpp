// SeriesPlot: quantities per epoch, one line each (see series_plot.h).
#include "series_plot.h"

#include "plot_helpers.h"
#include "theory.h"

#include <algorithm>
#include <utility>

namespace ntk {

SeriesPlot::SeriesPlot(const QString& fileName, const QString& title, const QString& valueLabel,
                       std::vector<Series> series, QWidget* parent)
    : LivePlot(fileName, title, parent)
    , series_(std::move(series)) {
    xAxis->setLabel(tr("epoch"));
    useIntegerTicks(xAxis);
    yAxis->setLabel(valueLabel);
    for (const Series& s : series_)
        addLine(this, s.name, s.color, style().lineWidth(), s.dashed, s.secondaryAxis ? yAxis2 : yAxis);
    // The same series of a pinned run, thin and pale. One series: its own entry ("pinned: λₘₐₓ"). Several:
    // one entry that says how to read them all (an entry each would take more room than the plot has).
    for (const Series& s : series_) {
        QColor pale = s.color;
        pale.setAlpha(110);
        QCPGraph* g = addLine(this,
                              series_.size() == 1 ? tr("pinned: %1").arg(s.name)
                                                  : tr("pinned run: each pale line in its series' colour"),
                              pale, style().lineWidth() * 0.6, true, s.secondaryAxis ? yAxis2 : yAxis);
        g->setVisible(false);
        g->removeFromLegend();
    }
    legend->setVisible(series_.size() > 1);
    stopLine_ = new QCPItemStraightLine(this);
    bestLine_ = new QCPItemStraightLine(this);
    stopLabel_ = new QCPItemText(this);
    stopLine_->setPen(QPen(QColor(200, 0, 0), 1.5, Qt::DashLine));
    bestLine_->setPen(QPen(QColor(0, 140, 0), 1.5, Qt::DotLine));
    stopLabel_->setPositionAlignment(Qt::AlignRight |
                                     Qt::AlignTop); // left of the line: the stop is often the last epoch
    stopLabel_->setBrush(QColor(255, 255, 255, 200));
    stopLabel_->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    stopLabel_->setColor(QColor(200, 0, 0));
    edgeLine_ = new QCPItemStraightLine(this);
    edgeLine_->setPen(QPen(QColor(120, 0, 160), 1.5, Qt::DashDotLine));
    edgeLabel_ = new QCPItemText(this);
    edgeLabel_->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    edgeLabel_->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    edgeLabel_->setColor(QColor(120, 0, 160));
    for (QCPAbstractItem* item :
         std::initializer_list<QCPAbstractItem*>{stopLine_, bestLine_, stopLabel_, edgeLine_, edgeLabel_})
        item->setVisible(false);
}

void SeriesPlot::setLimitLine(std::function<std::optional<double>(const RunInfo&)> value,
                              const QString& label) {
    limitValue_ = std::move(value);
    // A graph rather than an item, so it has a legend entry and a hover value like the data.
    limitGraph_ = addLine(this, label, PlotStyle::color(4), style().lineWidth(), true);
    limitGraph_->setVisible(false);
    limitGraph_->removeFromLegend();
}

void SeriesPlot::setMissingNote(int index, std::function<QString(const RunInfo&)> note) {
    missingIndex_ = index;
    missingNote_ = std::move(note);
}

void SeriesPlot::setSecondaryAxisLabel(const QString& label) {
    yAxis2->setVisible(true);
    yAxis2->setLabel(label);
}

void SeriesPlot::rebuild(const RunHistory& history) {
    configureValueAxis(yAxis, logScale());
    auto fill = [&](const std::vector<EpochReport>& reports, std::size_t s, QCPGraph* g) {
        setEpochSeries(g, reports, series_[s].value, logScale() && !series_[s].secondaryAxis,
                       style().markerSize());
    };
    const RunHistory* pinned = reference();
    for (std::size_t s = 0; s < series_.size(); ++s) {
        fill(history.reports(), s, graph(int(s)));
        QCPGraph* shadow = graph(int(series_.size() + s));
        shadow->setVisible(pinned != nullptr);
        if (pinned)
            fill(pinned->reports(), s, shadow);
        if (pinned && s == 0)
            shadow->addToLegend();
        else
            shadow->removeFromLegend();
    }
    if (limitGraph_) {
        const bool running = history.hasRun() && !history.reports().empty();
        const std::optional<double> limit = running ? limitValue_(history.info()) : std::nullopt;
        const bool hasLimit = limit.has_value();
        const double level = limit.value_or(0.0);
        limitGraph_->setVisible(hasLimit);
        limitGraph_->data()->clear();
        if (hasLimit) {
            // Spans the epochs on screen; redrawn as they grow.
            limitGraph_->addData(0.0, level);
            limitGraph_->addData(std::max(1.0, double(history.reports().back().epoch)), level);
            limitGraph_->addToLegend();
        } else {
            limitGraph_->removeFromLegend();
        }
        legend->setVisible(series_.size() > 1 || hasLimit || pinned != nullptr);
    }
    const auto& outcome = history.outcome();
    const bool marked = showStopMarkers_ && outcome &&
                        (outcome->state == RunState::EarlyStopped || outcome->state == RunState::Diverged);
    stopLine_->setVisible(marked);
    stopLabel_->setVisible(marked);
    bestLine_->setVisible(marked && outcome->state == RunState::EarlyStopped && outcome->bestEpoch >= 0);
    if (marked) {
        stopLine_->point1->setCoords(outcome->stopEpoch, 0);
        stopLine_->point2->setCoords(outcome->stopEpoch, 1);
        stopLabel_->position->setCoords(outcome->stopEpoch, 0.02);
        stopLabel_->setText(
            outcome->state == RunState::EarlyStopped
                ? tr("early stop at %1\nbest epoch %2 ").arg(outcome->stopEpoch).arg(outcome->bestEpoch)
                : tr("diverged at %1 ").arg(outcome->stopEpoch));
        stopLabel_->setFont(style().legendFont());
        bestLine_->point1->setCoords(outcome->bestEpoch, 0);
        bestLine_->point2->setCoords(outcome->bestEpoch, 1);
    }
    if (const EpochReport* latest = history.latest())
        setTitleText(epochTitle(title(), latest->epoch));
    if (followsData()) {
        rescaleAxes();
        ensureDrawableRange(xAxis);
        ensureDrawableRange(yAxis);
        if (yAxis2->visible()) {
            yAxis2->setRange(0.0, 1.05);
        }
    }
    QString note;
    if (missingNote_ && history.hasRun() && !history.reports().empty() &&
        graph(missingIndex_)->data()->isEmpty())
        note = missingNote_(history.info());
    const bool edge = showStabilityEdge_ && history.hasRun() && history.latest();
    edgeLine_->setVisible(edge);
    edgeLabel_->setVisible(edge);
    if (edge) {
        const RunConfig& c = history.info().config;
        const bool mse = c.loss == LossKind::Mse;
        const int outputs = history.info().outputs;
        const double value = stabilityEdge(c.loss, history.info().trainSize, outputs, c.learningRate);
        // Written for the summed kernel on the plot: O times the per-output edge (see core/theory.h).
        const QString formula =
            outputs == 1 ? (mse ? tr("2n/η") : tr("4n/η")) : (mse ? tr("2nO²/η") : tr("4nO/η"));
        edgeLine_->point1->setCoords(0, value);
        edgeLine_->point2->setCoords(1, value);
        edgeLabel_->position->setCoords(0.02, value);
        // With one output K is the whole kernel; with several it is exact only for decoupled outputs.
        const QString meaning = outputs == 1 ? tr("stability edge") : tr("edge for decoupled outputs");
        edgeLabel_->setText(tr("%1: %2").arg(formula, meaning));
        edgeLabel_->setFont(style().legendFont());
        const bool inView = yAxis->range().contains(value);
        edgeLabel_->setVisible(inView);
        if (!inView)
            // Short: a note wider than the plot is cut at both ends (the tooltip says what the line is).
            note = tr("edge %1 = %2, %3")
                       .arg(formula)
                       .arg(value, 0, 'g', 3)
                       .arg(value > yAxis->range().upper ? tr("off the top") : tr("off the bottom"));
    }
    setNote(note);
    if (emptyText_) {
        bool drawsNothing = history.hasRun() && !history.reports().empty();
        for (std::size_t s = 0; s < series_.size() && drawsNothing; ++s)
            drawsNothing = graph(int(s))->data()->isEmpty();
        setWaitingText(drawsNothing ? emptyText_(history) : QString());
    }
}

} // namespace ntk
