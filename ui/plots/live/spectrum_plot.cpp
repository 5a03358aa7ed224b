#include "spectrum_plot.h"

#include "plot_helpers.h"
#include "theory.h"
#include "spectral_bias_plot.h"

#include <QImage>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace ntk {

// ---------------------------------------------------------------------------------------------------------

SpectrumPlot::SpectrumPlot(QWidget* parent)
    : LivePlot("spectrum", tr("NTK eigenvalues"), parent) {
    xAxis->setLabel(tr("index k (sorted, largest first)"));
    yAxis->setLabel(tr("eigenvalue λ_k"));
    addLine(this, tr("current"), PlotStyle::color(0), style().lineWidth());
    addLine(this, tr("initialization"), PlotStyle::referenceColor(), style().lineWidth(), true);
    addLine(this, tr("infinite width"), PlotStyle::color(4), style().lineWidth(), true);
    graph(2)->setVisible(false);
    addLine(this, tr("pinned run"), PlotStyle::color(3), style().lineWidth(), true);
    graph(3)->setVisible(false);
    graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, style().markerSize()));
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    setLogScale(true);
}

void SpectrumPlot::rebuild(const RunHistory& history) {
    configureValueAxis(yAxis, logScale());
    const auto& [epoch, values] = history.latestSpectrum();
    if (epoch < 0) {
        graph(0)->data()->clear();
        graph(1)->data()->clear();
        setTitleText(tr("NTK eigenvalues (waiting for the first kernel)"));
        setNote({});
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
        notes << tr("%1 below %2·λ_max (single-precision round-off)")
                     .arg(droppedBelowFloor)
                     .arg(floor, 0, 'g', 2);
    setNote(notes.isEmpty() ? QString() : notes.join(tr(" and ")) + tr(" not shown on the log axis"));
    if (followsData()) {
        rescaleAxes();
        ensureDrawableRange(xAxis);
        ensureDrawableRange(yAxis);
    }
}

// ---------------------------------------------------------------------------------------------------------

SeriesPlot::SeriesPlot(const QString& fileName, const QString& title, const QString& valueLabel,
                       std::vector<Series> series, QWidget* parent)
    : LivePlot(fileName, title, parent)
    , series_(std::move(series)) {
    xAxis->setLabel(tr("epoch"));
    yAxis->setLabel(valueLabel);
    for (const Series& s : series_)
        addLine(this, s.name, s.color, style().lineWidth(), s.dashed, s.secondaryAxis ? yAxis2 : yAxis);
    // The same series of a pinned run, thin and pale, listed once in the legend.
    for (const Series& s : series_) {
        QColor pale = s.color;
        pale.setAlpha(110);
        QCPGraph* g = addLine(this, tr("pinned run"), pale, style().lineWidth() * 0.6, true,
                              s.secondaryAxis ? yAxis2 : yAxis);
        g->setVisible(false);
        g->removeFromLegend();
    }
    legend->setVisible(series_.size() > 1);
    if (series_.size() > 1)
        placeLegendBelow(this);
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
        QVector<double> keys, values;
        keys.reserve(qsizetype(reports.size()));
        values.reserve(qsizetype(reports.size()));
        for (const EpochReport& r : reports)
            if (const auto v = series_[s].value(r)) {
                keys << r.epoch;
                values << *v;
            }
        filterForAxis(keys, values, logScale() && !series_[s].secondaryAxis);
        g->setData(keys, values, true);
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
        edgeLabel_->setText(tr("stability edge %1").arg(formula));
        edgeLabel_->setFont(style().legendFont());
        const bool inView = yAxis->range().contains(value);
        edgeLabel_->setVisible(inView);
        if (!inView)
            note = tr("stability edge %1 = %2 (%3 the view)")
                       .arg(formula)
                       .arg(value, 0, 'g', 3)
                       .arg(value > yAxis->range().upper ? tr("above") : tr("below"));
    }
    setNote(note);
}

// ---------------------------------------------------------------------------------------------------------

SpectrumHeatmapPlot::SpectrumHeatmapPlot(QWidget* parent)
    : LivePlot("spectrum_heatmap", tr("Spectrum vs epoch"), parent) {
    xAxis->setLabel(tr("epoch"));
    yAxis->setLabel(tr("index k"));
    yAxis->setRangeReversed(true); // largest eigenvalue on top
    map_ = new QCPColorMap(xAxis, yAxis);
    map_->setInterpolate(false);
    scale_ = attachColorScale(this, map_, tr("log₁₀ λ_k"));
    LivePlot::applyStyle(style());
}

void SpectrumHeatmapPlot::applyStyle(const PlotStyle& style) {
    if (scale_)
        styleColorScale(scale_, style);
    LivePlot::applyStyle(style);
}

void SpectrumHeatmapPlot::rebuild(const RunHistory& history) {
    std::vector<const std::pair<int, Eigen::VectorXd>*> rows;
    for (const auto& entry : history.spectra())
        rows.push_back(&entry);
    const auto& latest = history.latestSpectrum();
    if (latest.first >= 0 && (rows.empty() || rows.back()->first != latest.first))
        rows.push_back(&latest);
    if (rows.empty()) {
        map_->data()->clear();
        return;
    }
    Eigen::Index n = 0;
    for (const auto* row : rows)
        n = std::max(n, row->second.size());
    const int columns = int(rows.size());
    const double first = rows.front()->first, last = rows.back()->first;
    const double half = columns > 1 ? 0.5 * (last - first) / (columns - 1) : 0.5;
    map_->data()->setSize(columns, int(n));
    map_->data()->setRange(QCPRange(first, columns > 1 ? last : first + 1e-9),
                           QCPRange(1, n > 1 ? double(n) : 1 + 1e-9));
    // A/B: with a pinned run, each cell is log10(lambda_k / lambda_k of the pinned run at the nearest
    // earlier stored epoch), on a diverging scale centred at 0 (no difference).
    const RunHistory* pinned = reference();
    std::vector<const std::pair<int, Eigen::VectorXd>*> pinnedRows;
    if (pinned) {
        for (const auto& entry : pinned->spectra())
            pinnedRows.push_back(&entry);
        if (pinned->latestSpectrum().first >= 0 &&
            (pinnedRows.empty() || pinnedRows.back()->first != pinned->latestSpectrum().first))
            pinnedRows.push_back(&pinned->latestSpectrum());
    }
    ratioMode_ = !pinnedRows.empty();
    auto pinnedAt = [&](int epoch) -> const Eigen::VectorXd* {
        const Eigen::VectorXd* found = nullptr;
        for (const auto* row : pinnedRows)
            if (row->first <= epoch)
                found = &row->second;
        return found;
    };
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (int c = 0; c < columns; ++c) {
        const Eigen::VectorXd& values = rows[c]->second;
        const Eigen::VectorXd* other = ratioMode_ ? pinnedAt(rows[c]->first) : nullptr;
        for (Eigen::Index k = 0; k < n; ++k) {
            double v = k < values.size() && values[k] > 0.0 ? std::log10(values[k]) : qQNaN();
            if (ratioMode_)
                v = other && k < other->size() && (*other)[k] > 0.0 ? v - std::log10((*other)[k]) : qQNaN();
            map_->data()->setCell(c, int(k), v);
            if (std::isfinite(v)) {
                low = std::min(low, v);
                high = std::max(high, v);
            }
        }
    }
    if (ratioMode_) {
        const double reach = std::isfinite(low) ? std::max({std::abs(low), std::abs(high), 1e-3}) : 1.0;
        map_->setGradient(divergingGradient());
        map_->setDataRange(QCPRange(-reach, reach));
        scale_->axis()->setLabel(tr("log₁₀ λ_k / λ_k pinned"));
    } else {
        map_->setGradient(viridis());
        if (std::isfinite(low))
            map_->setDataRange(QCPRange(low, high > low ? high : low + 1.0));
        scale_->axis()->setLabel(tr("log₁₀ λ_k"));
    }
    setTitleText(
        epochTitle(ratioMode_ ? tr("Spectrum vs epoch, against the pinned run") : tr("Spectrum vs epoch"),
                   rows.back()->first));
    if (followsData()) {
        xAxis->setRange(first - half, last + half);
        yAxis->setRange(0.5, double(n) + 0.5);
    }
}

QString SpectrumHeatmapPlot::hoverText(const QPoint& pixel) const {
    double key, value;
    map_->pixelsToCoords(pixel, key, value);
    int cellKey, cellValue;
    map_->data()->coordToCell(key, value, &cellKey, &cellValue);
    if (cellKey < 0 || cellValue < 0 || cellKey >= map_->data()->keySize() ||
        cellValue >= map_->data()->valueSize())
        return {};
    const double logValue = map_->data()->cell(cellKey, cellValue);
    if (!std::isfinite(logValue))
        return ratioMode_ ? tr("k = %1: no pinned value").arg(cellValue + 1)
                          : tr("k = %1: λ ≤ 0").arg(cellValue + 1);
    if (ratioMode_)
        return tr("epoch ≈ %1\nk = %2\nλ / λ pinned = %3")
            .arg(qRound(key))
            .arg(cellValue + 1)
            .arg(std::pow(10.0, logValue), 0, 'g', 4);
    return tr("epoch ≈ %1\nk = %2\nλ = %3")
        .arg(qRound(key))
        .arg(cellValue + 1)
        .arg(std::pow(10.0, logValue), 0, 'g', 6);
}

// ---------------------------------------------------------------------------------------------------------

KernelMatrixPlot::KernelMatrixPlot(QWidget* parent)
    : LivePlot("kernel_matrix", tr("NTK matrix Θ"), parent) {
    xAxis->setLabel(tr("training point j (ordered by class)"));
    yAxis->setLabel(tr("training point i"));
    yAxis->setRangeReversed(true); // row 1 at the top, as a matrix is read
    map_ = new QCPColorMap(xAxis, yAxis);
    map_->setInterpolate(false);
    scale_ = attachColorScale(this, map_, tr("Θ_ij"));
    LivePlot::applyStyle(style());
}

void KernelMatrixPlot::applyStyle(const PlotStyle& style) {
    if (scale_)
        styleColorScale(scale_, style);
    LivePlot::applyStyle(style);
}

void KernelMatrixPlot::rebuild(const RunHistory& history) {
    const Eigen::MatrixXd& kernel = history.latestKernel();
    for (QCPItemStraightLine* line : classLines_)
        removeItem(line);
    classLines_.clear();
    if (kernel.size() == 0 || !history.hasRun()) {
        map_->data()->clear();
        return;
    }
    const Eigen::Index n = kernel.rows();
    auto classOrder = [n](const Eigen::VectorXi& labels) {
        std::vector<Eigen::Index> order(n);
        std::iota(order.begin(), order.end(), 0);
        if (labels.size() == n)
            std::stable_sort(order.begin(), order.end(),
                             [&](auto a, auto b) { return labels[a] < labels[b]; });
        return order;
    };
    const Eigen::VectorXi& labels = history.info().trainLabels;
    const std::vector<Eigen::Index> order = classOrder(labels);
    // A/B: a pinned run with as many points fills the lower triangle, each run in its own class order.
    const RunHistory* pinned = reference();
    const Eigen::MatrixXd* other = nullptr;
    std::vector<Eigen::Index> otherOrder;
    QString note;
    if (pinned && pinned->latestKernel().size() > 0) {
        if (pinned->latestKernel().rows() == n) {
            other = &pinned->latestKernel();
            otherOrder = classOrder(pinned->info().trainLabels);
            note = tr("upper right: this run; lower left: the pinned run");
        } else {
            note = tr("the pinned run has n = %1, not overlaid").arg(pinned->latestKernel().rows());
        }
    }
    pinnedTriangle_ = other != nullptr;
    setNote(note);
    // Large kernels are drawn block-averaged: the heatmap is a few hundred pixels wide on screen, and at
    // 800 cells rebuilding and painting it held the GUI thread for about 28 ms per kernel epoch at n = 2000
    // (ntkviz-gui-bench); 400 cells take a quarter of that.
    const int cells = int(std::min<Eigen::Index>(n, 400));
    const double stride = double(n) / cells;
    map_->data()->setSize(cells, cells);
    map_->data()->setRange(QCPRange(1, n), QCPRange(1, n));
    for (int cx = 0; cx < cells; ++cx)
        for (int cy = 0; cy < cells; ++cy) {
            const Eigen::Index i0 = Eigen::Index(cy * stride),
                               i1 = std::max(i0 + 1, Eigen::Index((cy + 1) * stride));
            const Eigen::Index j0 = Eigen::Index(cx * stride),
                               j1 = std::max(j0 + 1, Eigen::Index((cx + 1) * stride));
            const bool lower = other && cy > cx;
            const Eigen::MatrixXd& source = lower ? *other : kernel;
            const std::vector<Eigen::Index>& rows = lower ? otherOrder : order;
            double sum = 0.0;
            for (Eigen::Index i = i0; i < i1; ++i)
                for (Eigen::Index j = j0; j < j1; ++j)
                    sum += source(rows[i], rows[j]);
            map_->data()->setCell(cx, cy, sum / double((i1 - i0) * (j1 - j0)));
        }
    map_->rescaleDataRange(true);
    if (labels.size() == n) {
        for (Eigen::Index i = 1; i < n; ++i)
            if (labels[order[i]] != labels[order[i - 1]])
                for (bool vertical : {true, false}) {
                    auto* line = new QCPItemStraightLine(this);
                    line->setPen(QPen(QColor(255, 255, 255, 160), 1.0));
                    const double at = double(i) + 0.5;
                    line->point1->setCoords(vertical ? at : 0, vertical ? 0 : at);
                    line->point2->setCoords(vertical ? at : 1, vertical ? 1 : at);
                    classLines_.push_back(line);
                }
    }
    if (const EpochReport* r = history.latestWithKernel())
        setTitleText(epochTitle(tr("NTK matrix Θ"), r->epoch));
    if (followsData()) {
        xAxis->setRange(0.5, double(n) + 0.5);
        yAxis->setRange(0.5, double(n) + 0.5);
    }
}

QString KernelMatrixPlot::hoverText(const QPoint& pixel) const {
    double key, value;
    map_->pixelsToCoords(pixel, key, value);
    int cx, cy;
    map_->data()->coordToCell(key, value, &cx, &cy);
    if (cx < 0 || cy < 0 || cx >= map_->data()->keySize() || cy >= map_->data()->valueSize())
        return {};
    return tr("row %1, column %2\nΘ = %3%4")
        .arg(qRound(value))
        .arg(qRound(key))
        .arg(map_->data()->cell(cx, cy), 0, 'g', 6)
        .arg(pinnedTriangle_ && cy > cx ? tr(" (pinned run)") : QString());
}

// ---------------------------------------------------------------------------------------------------------

PredictionPlot::PredictionPlot(QWidget* parent)
    : LivePlot("predictions", tr("Predictions"), parent) {
    xAxis->setLabel(tr("x₁ (scaled)"));
    yAxis->setLabel(tr("x₂ (scaled)"));
    regions_ = new QCPItemPixmap(this);
    regions_->setScaled(true, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    regions_->setLayer("background");
    regions_->setClipToAxisRect(true);
    message_ = new QCPItemText(this);
    message_->position->setType(QCPItemPosition::ptAxisRectRatio);
    message_->position->setCoords(0.5, 0.5);
    message_->setText(tr("Decision regions are drawn for data sets\nwith one or two input features."));
    message_->setVisible(false);
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void PredictionPlot::rebuild(const RunHistory& history) {
    clearGraphs();
    regions_->setVisible(false);
    if (!history.hasRun())
        return;
    const RunInfo& info = history.info();
    const bool drawable = info.inputDim <= 2 && info.trainFeatures.rows() > 0;
    message_->setVisible(!drawable);
    message_->setFont(style().labelFont());
    if (!drawable)
        return;
    const std::optional<PredictionGrid>& grid = history.latestGrid();
    const bool regression = info.trainValues.size() > 0;
    auto scatter = [&](const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const QString& name, QColor color,
                       bool filled) {
        QCPGraph* g = addGraph();
        g->setName(name);
        g->setLineStyle(QCPGraph::lsNone);
        // Training points filled with a dark rim, test points hollow rings of the same class colour.
        const QCPScatterStyle marker(
            QCPScatterStyle::ssCircle,
            QPen(filled ? color.darker(150) : color, (filled ? 1.0 : 1.6) * style().scale),
            filled ? QBrush(color) : QBrush(Qt::NoBrush), style().markerSize() * 1.3);
        g->setScatterStyle(marker);
        QVector<double> keys, values;
        for (Eigen::Index i = 0; i < x.rows(); ++i) {
            keys << x(i, 0);
            values << (x.cols() > 1 ? x(i, 1) : y[i]);
        }
        g->setData(keys, values);
    };
    if (info.inputDim == 1) {
        xAxis->setLabel(tr("x (scaled)"));
        yAxis->setLabel(regression ? tr("f(x)") : tr("p(class 1 | x)"));
        if (grid && grid->dimension == 1) {
            QCPGraph* curve = addGraph();
            curve->setName(tr("network"));
            curve->setPen(QPen(PlotStyle::color(6), style().lineWidth()));
            curve->setData(QVector<double>(grid->xs.begin(), grid->xs.end()),
                           QVector<double>(grid->curve.begin(), grid->curve.end()), true);
        }
        // A/B: the pinned run's curve, when it is of the same kind.
        if (const RunHistory* pinned = reference(); pinned && pinned->latestGrid() &&
                                                    pinned->latestGrid()->dimension == 1 &&
                                                    pinned->info().config.loss == info.config.loss) {
            const PredictionGrid& other = *pinned->latestGrid();
            QCPGraph* curve = addGraph();
            curve->setName(tr("pinned run"));
            curve->setPen(QPen(PlotStyle::color(3), style().lineWidth(), Qt::DashLine));
            curve->setData(QVector<double>(other.xs.begin(), other.xs.end()),
                           QVector<double>(other.curve.begin(), other.curve.end()), true);
        }
        const Eigen::VectorXd trainY = regression ? info.trainValues : info.trainLabels.cast<double>();
        const Eigen::VectorXd testY = regression ? info.testValues : info.testLabels.cast<double>();
        scatter(info.trainFeatures, trainY, tr("train"), PlotStyle::trainColor(), true);
        if (info.testFeatures.rows() > 0)
            scatter(info.testFeatures, testY, tr("test"), PlotStyle::testColor(), false);
    } else {
        xAxis->setLabel(tr("x₁ (scaled)"));
        yAxis->setLabel(tr("x₂ (scaled)"));
        if (grid && grid->dimension == 2 && !regression) {
            const int rows = int(grid->predictedClass.rows()), cols = int(grid->predictedClass.cols());
            QImage image(cols, rows, QImage::Format_ARGB32);
            for (int r = 0; r < rows; ++r)
                for (int c = 0; c < cols; ++c) {
                    // Class colour, paler where the network is unsure.
                    const QColor base = PlotStyle::color(grid->predictedClass(r, c));
                    const double classes = std::max(2, info.outputs);
                    const double certainty = std::clamp(
                        (grid->confidence(r, c) - 1.0 / classes) / (1.0 - 1.0 / classes), 0.0, 1.0);
                    const double mix = 0.25 + 0.45 * certainty;
                    image.setPixelColor(c, rows - 1 - r,
                                        QColor(int(255 + (base.red() - 255) * mix),
                                               int(255 + (base.green() - 255) * mix),
                                               int(255 + (base.blue() - 255) * mix)));
                }
            regions_->setPixmap(QPixmap::fromImage(image));
            regions_->topLeft->setCoords(grid->xMin, grid->yMax);
            regions_->bottomRight->setCoords(grid->xMax, grid->yMin);
            regions_->setVisible(true);
        }
        // A/B: the pinned run's decision boundary, as the cells where its predicted class changes.
        if (const RunHistory* pinned = reference();
            pinned && pinned->latestGrid() && pinned->latestGrid()->dimension == 2 && !regression) {
            const PredictionGrid& other = *pinned->latestGrid();
            const int rows = int(other.predictedClass.rows()), cols = int(other.predictedClass.cols());
            const double dx = (other.xMax - other.xMin) / std::max(1, cols);
            const double dy = (other.yMax - other.yMin) / std::max(1, rows);
            QVector<double> xs, ys;
            for (int r = 0; r < rows; ++r)
                for (int c = 0; c < cols; ++c) {
                    const int here = other.predictedClass(r, c);
                    if ((c + 1 < cols && other.predictedClass(r, c + 1) != here) ||
                        (r + 1 < rows && other.predictedClass(r + 1, c) != here)) {
                        xs << other.xMin + (c + 1.0) * dx;
                        ys << other.yMin + (r + 1.0) * dy;
                    }
                }
            QCPGraph* boundary = addGraph();
            boundary->setName(tr("pinned run: boundary"));
            boundary->setLineStyle(QCPGraph::lsNone);
            boundary->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(40, 40, 40), style().markerSize() * 0.5));
            boundary->setData(xs, ys);
        }
        const int classes = std::max(1, info.outputs);
        for (int k = 0; k < classes; ++k) {
            auto pick = [&](const Eigen::MatrixXd& x, const Eigen::VectorXi& labels) {
                std::vector<Eigen::Index> rows;
                for (Eigen::Index i = 0; i < labels.size(); ++i)
                    if (labels[i] == k)
                        rows.push_back(i);
                return Eigen::MatrixXd(x(rows, Eigen::all));
            };
            scatter(pick(info.trainFeatures, info.trainLabels), {}, tr("class %1 train").arg(k),
                    PlotStyle::color(k), true);
            if (info.testFeatures.rows() > 0)
                scatter(pick(info.testFeatures, info.testLabels), {}, tr("class %1 test").arg(k),
                        PlotStyle::color(k), false);
        }
    }
    legend->setVisible(graphCount() <= 6);
    if (const EpochReport* r = history.latest())
        setTitleText(epochTitle(tr("Predictions"), r->epoch));
    if (followsData()) {
        if (grid) {
            xAxis->setRange(grid->xMin, grid->xMax);
            if (grid->dimension == 2)
                yAxis->setRange(grid->yMin, grid->yMax);
            else {
                rescaleAxes();
                xAxis->setRange(grid->xMin, grid->xMax);
                ensureDrawableRange(yAxis);
            }
        } else {
            rescaleAxes();
            ensureDrawableRange(xAxis);
            ensureDrawableRange(yAxis);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------

std::vector<LivePlot*> createPlots(QWidget* parent) {
    using S = SeriesPlot::Series;
    auto kernelValue = [](double KernelSummary::*member) {
        return [member](const EpochReport& r) -> std::optional<double> {
            if (!r.hasKernel)
                return std::nullopt;
            return r.kernel.*member;
        };
    };
    auto* lambdaMax = new SeriesPlot(
        "lambda_max", QObject::tr("Largest eigenvalue"), QObject::tr("λ_max"),
        {S{QObject::tr("λ_max"), kernelValue(&KernelSummary::lambdaMax), PlotStyle::color(0)}}, parent);
    auto* trace = new SeriesPlot(
        "trace", QObject::tr("Trace"), QObject::tr("trace Σλ_k"),
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
        {S{QObject::tr("kernel distance from init"),
           [](const EpochReport& r) { return r.hasKernel ? r.kernel.kernelDistance : std::nullopt; },
           PlotStyle::color(3)},
         S{QObject::tr("kernel-target alignment"),
           [](const EpochReport& r) { return r.hasKernel ? r.kernel.targetAlignment : std::nullopt; },
           PlotStyle::color(2)}},
        parent);
    lazy->setToolTip(
        QObject::tr("Kernel distance 1 − ⟨Θ₀,Θ⟩/(‖Θ₀‖‖Θ‖): near 0 the network trains lazily, as a fixed "
                    "kernel machine. Alignment ⟨Θ,YYᵀ⟩/(‖Θ‖‖YYᵀ‖): how well the kernel matches the labels."));
    loss->setSecondaryAxisLabel(QObject::tr("accuracy (dashed)"));
    loss->setShowStopMarkers(true);
    lambdaMax->setShowStopMarkers(true);
    lambdaMax->setShowStabilityEdge(true);
    lambdaMax->setToolTip(QObject::tr(
        "Purple: the edge of stability of gradient descent on the linearized network. Per output the step "
        "is stable while κ_max < 2nO/η for mse (loss 1/(2nO)·Σ(f−y)²) and, as a guarantee, κ_max < 4n/η "
        "for cross-entropy (mean over n points). The plot shows the kernel summed over the O outputs, "
        "whose λ_max is O·κ_max when outputs are decoupled, so the line is drawn at O times that edge. "
        "Dashed: λ_max of the infinite-width NTK."));
    auto analytic = [](double (*reduce)(const Eigen::VectorXd&)) {
        return [reduce](const RunInfo& info) -> std::optional<double> {
            if (info.analyticSpectrum.size() == 0)
                return std::nullopt;
            return reduce(info.analyticSpectrum);
        };
    };
    lambdaMax->setLimitLine(analytic([](const Eigen::VectorXd& v) { return v.maxCoeff(); }),
                            QObject::tr("infinite width"));
    trace->setLimitLine(analytic([](const Eigen::VectorXd& v) { return v.sum(); }),
                        QObject::tr("infinite width"));
    trace->setToolTip(QObject::tr("Σλ_k: the sum of all eigenvalues. Dashed: the trace of the "
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
        "the solid lines leave the dashed ones, the network is no longer a fixed kernel machine."));
    return {new SpectrumPlot(parent),
            lambdaMax,
            trace,
            loss,
            new SpectrumHeatmapPlot(parent),
            new KernelMatrixPlot(parent),
            new PredictionPlot(parent),
            lazy,
            new SpectralBiasPlot(parent),
            new SpectralFilterPlot(parent),
            linearized};
}

} // namespace ntk
