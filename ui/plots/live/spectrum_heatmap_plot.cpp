// SpectrumHeatmapPlot: epoch × eigenvalue index, coloured by the change of λₖ (see spectrum_heatmap_plot.h).
#include "spectrum_heatmap_plot.h"

#include "plot_helpers.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ntk {

SpectrumHeatmapPlot::SpectrumHeatmapPlot(QWidget* parent)
    : LivePlot("spectrum_heatmap", tr("Spectrum change"), parent) {
    xAxis->setLabel(tr("epoch"));
    useIntegerTicks(xAxis);
    yAxis->setLabel(tr("index k"));
    yAxis->setRangeReversed(true); // largest eigenvalue on top
    map_ = new QCPColorMap(xAxis, yAxis);
    map_->setInterpolate(false);
    scale_ = attachColorScale(this, map_, tr("log₁₀ λₖ / λₖ(0)"));
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
    const RunHistory* pinned = reference();
    // Right after pinning, the live run is the pinned run itself (every ratio 1): there is nothing to
    // compare until the next run has a kernel, and a colour bar over a made-up range would read as data.
    const bool waitingForNewRun = pinned && (rows.empty() || history.runId() == pinned->runId());
    if (rows.empty() || waitingForNewRun) {
        map_->data()->clear();
        setTitleText(title()); // no epoch of an earlier run
        setWaitingText(waitingForNewRun ? tr("waiting for the new run's first kernel")
                                        : tr("waiting for the first kernel"));
        return;
    }
    setWaitingText({});
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
    firstEpoch_ = rows.front()->first;
    firstSpectrum_ = rows.front()->second;
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (int c = 0; c < columns; ++c) {
        const Eigen::VectorXd& values = rows[c]->second;
        const Eigen::VectorXd* other = ratioMode_ ? pinnedAt(rows[c]->first) : &firstSpectrum_;
        for (Eigen::Index k = 0; k < n; ++k) {
            double v = k < values.size() && values[k] > 0.0 ? std::log10(values[k]) : qQNaN();
            v = other && k < other->size() && (*other)[k] > 0.0 ? v - std::log10((*other)[k]) : qQNaN();
            map_->data()->setCell(c, int(k), v);
            if (std::isfinite(v)) {
                low = std::min(low, v);
                high = std::max(high, v);
            }
        }
    }
    // The gradient and range go to the colour bar, which passes them on to the map: one gradient for both.
    // At least ±0.01 (a 2 % change): below that the colours would magnify round-off and tiny drifts.
    const double reach = std::isfinite(low) ? std::max({std::abs(low), std::abs(high), 0.01}) : 1.0;
    scale_->setGradient(divergingGradient());
    scale_->setDataRange(QCPRange(-reach, reach)); // centred at 0: no change is white
    scale_->axis()->setLabel(ratioMode_ ? tr("log₁₀ λₖ / λₖ pinned")
                                        : tr("log₁₀ λₖ / λₖ(%1)").arg(firstEpoch_));
    // "since epoch 0" is on the colour bar: in the title it wrapped at 1366 × 768.
    setTitleText(epochTitle(ratioMode_ ? tr("Spectrum / pinned run") : title(), rows.back()->first));
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
                          : tr("k = %1: λ ≤ 0 at this epoch or epoch %2").arg(cellValue + 1).arg(firstEpoch_);
    if (ratioMode_)
        return tr("epoch ≈ %1\nk = %2\nλ / λ pinned = %3")
            .arg(qRound(key))
            .arg(cellValue + 1)
            .arg(std::pow(10.0, logValue), 0, 'g', 4);
    const double ratio = std::pow(10.0, logValue);
    return tr("epoch ≈ %1\nk = %2\nλ = %3 (%4 × epoch %5's)")
        .arg(qRound(key))
        .arg(cellValue + 1)
        .arg(ratio * firstSpectrum_[cellValue], 0, 'g', 6)
        .arg(ratio, 0, 'g', 4)
        .arg(firstEpoch_);
}

} // namespace ntk
