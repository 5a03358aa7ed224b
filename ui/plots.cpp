#include "plots.h"

#include <QImage>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace ntk {
namespace {

// A range QCustomPlot can draw even for one point or constant data, positive on log axes.
void ensureDrawableRange(QCPAxis* axis) {
    QCPRange range = axis->range();
    const bool log = axis->scaleType() == QCPAxis::stLogarithmic;
    if (log) {
        if (range.lower <= 0.0 || !std::isfinite(range.lower))
            range.lower = std::max(range.upper * 1e-6, 1e-300);
        if (range.upper / range.lower < 1.5)
            range = QCPRange(range.lower / 2.0, range.upper * 2.0);
        else
            range = QCPRange(range.lower / 1.5, range.upper * 1.5);
    } else {
        const double span = range.size();
        if (!(span > 1e-12 * std::max(1.0, std::abs(range.center()))))
            range = QCPRange(range.center() - std::max(1.0, std::abs(range.center()) * 0.1),
                             range.center() + std::max(1.0, std::abs(range.center()) * 0.1));
        else
            range = QCPRange(range.lower - 0.04 * span, range.upper + 0.04 * span);
    }
    axis->setRange(range);
}

QCPGraph* addLine(QCustomPlot* plot, const QString& name, const QColor& color, double width,
                  bool dashed = false, QCPAxis* valueAxis = nullptr) {
    QCPGraph* g = plot->addGraph(plot->xAxis, valueAxis ? valueAxis : plot->yAxis);
    g->setName(name);
    QPen pen(color, width);
    if (dashed)
        pen.setStyle(Qt::DashLine);
    g->setPen(pen);
    return g;
}

QCPColorGradient viridis() {
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.00, QColor(68, 1, 84));
    gradient.setColorStopAt(0.25, QColor(59, 82, 139));
    gradient.setColorStopAt(0.50, QColor(33, 145, 140));
    gradient.setColorStopAt(0.75, QColor(94, 201, 98));
    gradient.setColorStopAt(1.00, QColor(253, 231, 37));
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    return gradient;
}

void styleColorScale(QCPColorScale* scale, const PlotStyle& style) {
    scale->axis()->setTickLabelFont(style.tickFont());
    scale->axis()->setLabelFont(style.labelFont());
    scale->setBarWidth(int(12 * style.scale));
}

QCPColorScale* attachColorScale(QCustomPlot* plot, QCPColorMap* map, const QString& label) {
    auto* scale = new QCPColorScale(plot);
    plot->plotLayout()->addElement(plot->plotLayout()->rowCount() - 1, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->axis()->setLabel(label);
    map->setColorScale(scale);
    map->setGradient(viridis());
    // Keep the colour bar the height of the plot area.
    auto* group = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    return scale;
}

// Several series: the legend goes under the plot, two entries a row, so it never hides a curve.
void placeLegendBelow(QCustomPlot* plot) {
    plot->axisRect()->insetLayout()->take(plot->legend);
    const int row = plot->plotLayout()->rowCount();
    plot->plotLayout()->addElement(row, 0, plot->legend);
    plot->legend->setWrap(2);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst, true);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setMargins(QMargins(4, 0, 4, 2));
    plot->plotLayout()->setRowStretchFactor(row, 0.001);
}

QString epochTitle(const QString& what, int epoch) {
    return QString("%1, epoch %2").arg(what).arg(epoch);
}

} // namespace

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
    auto series = [&](const Eigen::VectorXd& v, QCPGraph* g) {
        QVector<double> keys(v.size()), vals(v.size());
        for (Eigen::Index i = 0; i < v.size(); ++i) {
            keys[i] = double(i + 1);
            vals[i] = v[i];
        }
        const int dropped = filterForAxis(keys, vals, logScale());
        g->setData(keys, vals, true);
        return dropped;
    };
    const int dropped = series(values, graph(0));
    series(history.initialSpectrum(), graph(1));
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
        series(pinned->latestSpectrum().second, graph(3));
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
    setNote(dropped == 1  ? tr("1 eigenvalue ≤ 0 (round-off) not shown on the log axis")
            : dropped > 1 ? tr("%1 eigenvalues ≤ 0 (round-off) not shown on the log axis").arg(dropped)
                          : QString());
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
    const bool edge = showStabilityEdge_ && history.hasRun() && history.latest();
    edgeLine_->setVisible(edge);
    edgeLabel_->setVisible(edge);
    if (edge) {
        const RunConfig& c = history.info().config;
        const bool mse = c.loss == LossKind::Mse;
        const double n = history.info().trainSize, outputs = history.info().outputs;
        const double value = mse ? 2.0 * n * outputs / c.learningRate : 4.0 * n / c.learningRate;
        const QString formula = mse ? tr("2nO/η") : tr("4n/η");
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
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (int c = 0; c < columns; ++c) {
        const Eigen::VectorXd& values = rows[c]->second;
        for (Eigen::Index k = 0; k < n; ++k) {
            const double v = k < values.size() && values[k] > 0.0 ? std::log10(values[k]) : qQNaN();
            map_->data()->setCell(c, int(k), v);
            if (std::isfinite(v)) {
                low = std::min(low, v);
                high = std::max(high, v);
            }
        }
    }
    if (std::isfinite(low))
        map_->setDataRange(QCPRange(low, high > low ? high : low + 1.0));
    setTitleText(epochTitle(tr("Spectrum vs epoch"), rows.back()->first));
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
        return tr("k = %1: λ ≤ 0").arg(cellValue + 1);
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
    std::vector<Eigen::Index> order(n);
    std::iota(order.begin(), order.end(), 0);
    const Eigen::VectorXi& labels = history.info().trainLabels;
    if (labels.size() == n)
        std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return labels[a] < labels[b]; });
    // Large kernels are drawn block-averaged: a screen has fewer pixels than a 5000 x 5000 matrix has cells.
    const int cells = int(std::min<Eigen::Index>(n, 800));
    const double stride = double(n) / cells;
    map_->data()->setSize(cells, cells);
    map_->data()->setRange(QCPRange(1, n), QCPRange(1, n));
    for (int cx = 0; cx < cells; ++cx)
        for (int cy = 0; cy < cells; ++cy) {
            const Eigen::Index i0 = Eigen::Index(cy * stride),
                               i1 = std::max(i0 + 1, Eigen::Index((cy + 1) * stride));
            const Eigen::Index j0 = Eigen::Index(cx * stride),
                               j1 = std::max(j0 + 1, Eigen::Index((cx + 1) * stride));
            double sum = 0.0;
            for (Eigen::Index i = i0; i < i1; ++i)
                for (Eigen::Index j = j0; j < j1; ++j)
                    sum += kernel(order[i], order[j]);
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
    return tr("row %1, column %2\nΘ = %3")
        .arg(qRound(value))
        .arg(qRound(key))
        .arg(map_->data()->cell(cx, cy), 0, 'g', 6);
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
    lambdaMax->setToolTip(
        QObject::tr("Purple: the largest λ_max for which gradient descent on the linearized network "
                    "is stable, 2nO/η for mse (loss 1/(2nO)·Σ(f−y)²) and the bound 4n/η for "
                    "cross-entropy (mean over n points)."));
    return {new SpectrumPlot(parent),
            lambdaMax,
            trace,
            loss,
            new SpectrumHeatmapPlot(parent),
            new KernelMatrixPlot(parent),
            new PredictionPlot(parent),
            lazy};
}

} // namespace ntk
