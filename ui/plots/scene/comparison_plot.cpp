#include "comparison_plot.h"

#include "plot_helpers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ntk {
namespace {

QVector<double> toVector(const Eigen::VectorXd& v) {
    return QVector<double>(v.begin(), v.end());
}

void finishRanges(QCustomPlot* plot, bool follow) {
    if (!follow)
        return;
    plot->rescaleAxes();
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        QCPRange r = axis->range();
        const bool log = axis->scaleType() == QCPAxis::stLogarithmic;
        if (log) {
            if (r.lower <= 0)
                r.lower = r.upper * 1e-6;
            axis->setRange(r.upper / r.lower < 1.5 ? QCPRange(r.lower / 2, r.upper * 2)
                                                   : QCPRange(r.lower / 1.5, r.upper * 1.5));
        } else {
            const double pad = r.size() > 0 ? 0.05 * r.size() : std::max(1.0, std::abs(r.center()) * 0.1);
            axis->setRange(r.lower - pad, r.upper + pad);
        }
    }
}

QCPGraph* line(QCustomPlot* plot, const QString& name, const QColor& color, double width,
               Qt::PenStyle style = Qt::SolidLine) {
    QCPGraph* g = plot->addGraph();
    g->setName(name);
    g->setPen(QPen(color, width, style));
    return g;
}

// "l2 = 0.001" on an axis already titled l2 reads better as "0.001"; grid labels go on two lines.
QString shortLabel(const Scene& scene, const SceneRun& run) {
    QString label = run.label;
    for (const QString& key : {scene.sweepKey, scene.seriesKey})
        if (!key.isEmpty())
            label.replace(key + " = ", "");
    return label.replace(", ", "\n");
}

} // namespace

void SceneResults::add(RunResult result) {
    auto at = std::lower_bound(runs.begin(), runs.end(), result.index,
                               [](const RunResult& r, int index) { return r.index < index; });
    runs.insert(at, std::move(result));
}

void ComparisonPlot::clearGraphsAndItems() {
    clearGraphs();
    clearPlottables();
    clearItems();
}

QColor ComparisonPlot::runColor(const RunResult& run) const {
    const int count = int(results().scene.runs.size());
    if (count <= 7)
        return PlotStyle::color(run.index);
    // Many runs: an ordered colour ramp, so neighbouring settings get neighbouring colours.
    const double t = double(run.index) / std::max(1, count - 1);
    return QColor::fromHsvF(0.66 * (1.0 - t), 0.85, 0.8 - 0.2 * t);
}

// ---------------------------------------------------------------------------------------------------------

StripPlot::StripPlot(QWidget* parent)
    : ComparisonPlot("scene_strip", tr("Final eigenvalues by run"), parent) {
    yAxis->setLabel(tr("eigenvalue λ_k"));
    setLogScale(true);
}

void StripPlot::rebuild() {
    clearGraphsAndItems();
    configureValueAxis(yAxis, logScale());
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const auto& scene = results().scene;
    for (int i = 0; i < int(scene.runs.size()); ++i)
        ticker->addTick(i, shortLabel(scene, scene.runs[i]));
    xAxis->setTicker(ticker);
    xAxis->setTickLabelRotation(scene.runs.size() > 6 ? 45 : 0);
    xAxis->setLabel(scene.sweepKey.isEmpty() ? tr("run") : scene.sweepKey);
    int hidden = 0;
    for (const RunResult& run : results().runs) {
        const EpochReport* first = run.firstKernel();
        const EpochReport* last = run.lastKernel();
        if (!last)
            continue;
        auto dots = [&](const Eigen::VectorXd& values, double offset, const QColor& color, double size) {
            QVector<double> keys(values.size(), run.index + offset), vals = toVector(values);
            hidden += filterForAxis(keys, vals, logScale());
            QCPGraph* g = addGraph();
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, size));
            g->setData(keys, vals);
            g->removeFromLegend();
        };
        if (first && first != last)
            dots(first->eigenvalues, -0.18, QColor(160, 160, 160, 150), 4 * style().scale);
        dots(last->eigenvalues, 0.08, runColor(run), 5 * style().scale);
    }
    setNote(tr("grey: at initialization; colour: after training") +
            (hidden > 0 ? tr(" · %1 values ≤ 0 not shown").arg(hidden) : QString()));
    if (followsData()) {
        finishRanges(this, true);
        xAxis->setRange(-0.6, std::max<double>(0.6, double(scene.runs.size()) - 0.4));
    }
}

// ---------------------------------------------------------------------------------------------------------

SpectraOverlayPlot::SpectraOverlayPlot(QWidget* parent)
    : ComparisonPlot("scene_spectra", tr("Spectra: initial (dashed) and final"), parent) {
    xAxis->setLabel(tr("index k"));
    yAxis->setLabel(tr("eigenvalue λ_k"));
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    setLogScale(true);
}

void SpectraOverlayPlot::rebuild() {
    clearGraphsAndItems();
    configureValueAxis(yAxis, logScale());
    for (const RunResult& run : results().runs) {
        const EpochReport* first = run.firstKernel();
        const EpochReport* last = run.lastKernel();
        if (!last)
            continue;
        auto curve = [&](const Eigen::VectorXd& values, const QString& name, Qt::PenStyle pen) {
            QVector<double> keys(values.size()), vals = toVector(values);
            for (int k = 0; k < values.size(); ++k)
                keys[k] = k + 1;
            filterForAxis(keys, vals, logScale());
            QCPGraph* g = line(this, name, runColor(run),
                               style().lineWidth() * (pen == Qt::SolidLine ? 1.0 : 0.7), pen);
            g->setData(keys, vals, true);
            return g;
        };
        if (first && first != last)
            curve(first->eigenvalues, {}, Qt::DashLine)->removeFromLegend();
        curve(last->eigenvalues, run.label, Qt::SolidLine);
    }
    legend->setVisible(graphCount() <= 16);
    finishRanges(this, followsData());
}

// ---------------------------------------------------------------------------------------------------------

EpochOverlayPlot::EpochOverlayPlot(Quantity quantity, QWidget* parent)
    : ComparisonPlot(quantity == Quantity::LambdaMax ? "scene_lambda_max" : "scene_loss",
                     quantity == Quantity::LambdaMax ? tr("Largest eigenvalue over epochs")
                                                     : tr("Test (solid) and train (dashed) loss"),
                     parent)
    , quantity_(quantity) {
    xAxis->setLabel(tr("epoch"));
    yAxis->setLabel(quantity == Quantity::LambdaMax ? tr("λ_max") : tr("loss"));
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void EpochOverlayPlot::rebuild() {
    clearGraphsAndItems();
    configureValueAxis(yAxis, logScale());
    for (const RunResult& run : results().runs) {
        auto series = [&](auto value, const QString& name, Qt::PenStyle pen) {
            QVector<double> keys, vals;
            for (const EpochReport& r : run.reports)
                if (const std::optional<double> v = value(r)) {
                    keys << r.epoch;
                    vals << *v;
                }
            filterForAxis(keys, vals, logScale());
            QCPGraph* g = line(this, name, runColor(run),
                               style().lineWidth() * (pen == Qt::SolidLine ? 1.0 : 0.7), pen);
            g->setData(keys, vals, true);
            return g;
        };
        if (quantity_ == Quantity::LambdaMax) {
            series(
                [](const EpochReport& r) {
                    return r.hasKernel ? std::optional(r.kernel.lambdaMax) : std::nullopt;
                },
                run.label, Qt::SolidLine);
        } else {
            series([](const EpochReport& r) { return r.testLoss; }, run.label, Qt::SolidLine);
            series([](const EpochReport& r) { return std::optional(r.trainLoss); }, {}, Qt::DashLine)
                ->removeFromLegend();
        }
        if (run.state == RunState::EarlyStopped || run.state == RunState::Diverged) {
            auto* marker = new QCPItemStraightLine(this);
            marker->setPen(QPen(runColor(run), 1.2, Qt::DotLine));
            marker->point1->setCoords(run.stopEpoch, 0);
            marker->point2->setCoords(run.stopEpoch, 1);
            auto* text = new QCPItemText(this);
            text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            text->position->setCoords(run.stopEpoch, 0.5);
            text->setPositionAlignment(Qt::AlignRight | Qt::AlignVCenter);
            text->setText(run.state == RunState::EarlyStopped ? tr("early stop %1 ").arg(run.stopEpoch)
                                                              : tr("diverged %1 ").arg(run.stopEpoch));
            text->setColor(runColor(run));
            text->setFont(style().legendFont());
        }
    }
    legend->setVisible(graphCount() <= 16);
    finishRanges(this, followsData());
}

// ---------------------------------------------------------------------------------------------------------

SummaryPlot::SummaryPlot(QWidget* parent)
    : ComparisonPlot("scene_summary", tr("Summary across runs"), parent) {
    legend->setVisible(true);
    // Under the plot: every corner of this one can hold a data point (the first L2 values sit top left).
    placeLegendBelow(this);
}

void SummaryPlot::setMetric(SummaryMetric metric) {
    metric_ = metric;
    resetView();
}

void SummaryPlot::rebuild() {
    clearGraphsAndItems();
    // Values over two or more decades (lambda_max by parameterization, Frobenius norm by L2) read on a
    // log axis; the user's own choice from the context menu wins.
    double smallest = std::numeric_limits<double>::infinity(), largest = 0.0;
    for (const RunResult& run : results().runs)
        if (const auto v = finalMetric(run, metric_); v && *v > 0.0 && std::isfinite(*v)) {
            smallest = std::min(smallest, *v);
            largest = std::max(largest, *v);
        }
    if (largest > 0.0)
        suggestLogScale(largest / smallest >= 100.0);
    configureValueAxis(yAxis, logScale());
    const Scene& scene = results().scene;
    yAxis->setLabel(metricLabel(metric_));
    setTitleText(metricLabel(metric_) +
                 (scene.sweepKey.isEmpty() ? QString() : tr(" against ") + scene.sweepKey));
    // A numeric x axis when every value is positive (n, width, depth); otherwise one slot per value, so
    // L2 = 0 has a place next to 1e-4.
    std::vector<double> values;
    for (const SceneRun& run : scene.runs)
        if (std::find(values.begin(), values.end(), run.sweepValue) == values.end())
            values.push_back(run.sweepValue);
    std::sort(values.begin(), values.end());
    const bool numeric = !scene.sweepKey.isEmpty() && !values.empty() && values.front() > 0;
    const bool logX = numeric && values.back() / values.front() >= 16;
    configureValueAxis(xAxis, logX);
    if (numeric) {
        xAxis->setLabel(scene.sweepKey);
        if (logX) {
            xAxis->setNumberFormat("eb"); // 10^k, as on the log value axes
        } else { // the empty scene shown before any run starts leaves a text ticker behind
            xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
            xAxis->ticker()->setTickCount(5);
        }
    } else {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (int i = 0; i < int(values.size()); ++i)
            ticker->addTick(i, QString::number(values[i], 'g', 4));
        if (scene.sweepKey.isEmpty())
            for (const SceneRun& run : scene.runs)
                ticker->addTick(run.sweepValue, run.label);
        xAxis->setTicker(ticker);
        xAxis->setLabel(scene.sweepKey.isEmpty() ? tr("run") : scene.sweepKey);
    }
    auto xOf = [&](double v) {
        return numeric || scene.sweepKey.isEmpty()
                   ? v
                   : double(std::find(values.begin(), values.end(), v) - values.begin());
    };
    // One line per series value (the second axis of a grid), else one line.
    std::vector<double> seriesValues;
    for (const RunResult& run : results().runs)
        if (std::find(seriesValues.begin(), seriesValues.end(), run.seriesValue) == seriesValues.end())
            seriesValues.push_back(run.seriesValue);
    std::sort(seriesValues.begin(), seriesValues.end());
    for (int s = 0; s < int(seriesValues.size()); ++s) {
        QVector<double> keys, vals;
        for (const RunResult& run : results().runs)
            if (run.seriesValue == seriesValues[s])
                if (const auto v = finalMetric(run, metric_)) {
                    keys << xOf(run.sweepValue);
                    vals << *v;
                }
        filterForAxis(keys, vals, logScale());
        QString seriesLabel = QString::number(seriesValues[s], 'g', 4);
        for (const RunResult& run : results().runs)
            if (run.seriesValue == seriesValues[s] && !run.seriesLabel.isEmpty())
                seriesLabel = run.seriesLabel;
        const QString name =
            scene.seriesKey.isEmpty() ? metricLabel(metric_) : scene.seriesKey + " = " + seriesLabel;
        QCPGraph* g = line(this, name, PlotStyle::color(s), style().lineWidth());
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, style().markerSize() * 1.4));
        g->setData(keys, vals, true);
    }
    // The infinite-width value for the same points and architecture, where there is one.
    std::map<double, double> limits;
    for (const RunResult& run : results().runs)
        if (const auto limit = infiniteWidthMetric(run, metric_))
            limits[xOf(run.sweepValue)] = *limit;
    if (!limits.empty()) {
        QVector<double> keys, vals;
        for (const auto& [x, y] : limits) {
            keys << x;
            vals << y;
        }
        filterForAxis(keys, vals, logScale());
        QCPGraph* g =
            line(this, tr("infinite width"), PlotStyle::color(4), style().lineWidth(), Qt::DashLine);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, style().markerSize() * 1.4));
        g->setData(keys, vals, true);
    }
    QString note;
    if (numeric && scene.seriesKey.isEmpty() && metric_ == SummaryMetric::Trace)
        if (const auto fit = metricFit(results().runs, metric_)) {
            QCPGraph* g = line(this, tr("least-squares line"), QColor(60, 60, 60), style().lineWidth() * 0.7,
                               Qt::DashLine);
            g->setData(QVector<double>{values.front(), values.back()},
                       QVector<double>{fit->intercept + fit->slope * values.front(),
                                       fit->intercept + fit->slope * values.back()});
            note = tr("trace ≈ %1 · %2 %3 %4,  R² = %5")
                       .arg(fit->slope, 0, 'g', 4)
                       .arg(scene.sweepKey)
                       .arg(fit->intercept < 0 ? "−" : "+")
                       .arg(std::abs(fit->intercept), 0, 'g', 4)
                       .arg(fit->rSquared, 0, 'f', 4);
        }
    setNote(note);
    legend->setVisible(graphCount() > 1);
    finishRanges(this, followsData());
    if (followsData() && !numeric) {
        const double last =
            scene.sweepKey.isEmpty() ? double(scene.runs.size() - 1) : double(values.size() - 1);
        xAxis->setRange(-0.5, std::max(0.5, last + 0.5));
    }
}

// ---------------------------------------------------------------------------------------------------------

TrajectoryPlot::TrajectoryPlot(QWidget* parent)
    : ComparisonPlot("scene_trajectory", tr("λ_max against training loss"), parent) {
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void TrajectoryPlot::setMode(Mode mode) {
    mode_ = mode;
    resetView();
}

void TrajectoryPlot::rebuild() {
    clearGraphsAndItems();
    configureValueAxis(yAxis, logScale() && mode_ == Mode::LambdaVsLoss);
    if (mode_ == Mode::LambdaVsLoss) {
        setTitleText(tr("λ_max against train loss"));
        setNote(tr("each run starts on the right"));
        xAxis->setLabel(tr("train loss"));
        yAxis->setLabel(tr("λ_max"));
        xAxis->setRangeReversed(false);
        for (const RunResult& run : results().runs) {
            // A parametric curve: QCPCurve keeps the order of training, not the order of x.
            auto* curve = new QCPCurve(xAxis, yAxis);
            curve->setName(run.label);
            curve->setPen(QPen(runColor(run), style().lineWidth()));
            QVector<double> t, x, y;
            for (const EpochReport& r : run.reports)
                if (r.hasKernel && std::isfinite(r.trainLoss) && (!logScale() || r.kernel.lambdaMax > 0)) {
                    t << r.epoch;
                    x << r.trainLoss;
                    y << r.kernel.lambdaMax;
                }
            curve->setData(t, x, y);
        }
    } else {
        setTitleText(tr("Distribution of the final eigenvalues (CDF)"));
        setNote(tr("legend: moments of log₁₀ λ"));
        xAxis->setLabel(tr("log₁₀ λ"));
        yAxis->setLabel(tr("fraction of eigenvalues ≤ λ"));
        for (const RunResult& run : results().runs) {
            const EpochReport* last = run.lastKernel();
            if (!last)
                continue;
            std::vector<double> logs;
            for (double v : last->eigenvalues)
                if (v > 0)
                    logs.push_back(std::log10(v));
            std::sort(logs.begin(), logs.end());
            QVector<double> keys, vals;
            for (std::size_t i = 0; i < logs.size(); ++i) {
                keys << logs[i];
                vals << double(i + 1) / double(last->eigenvalues.size());
            }
            const Moments m = logSpectrumMoments(run);
            QCPGraph* g = line(this,
                               tr("%1 (mean %2, var %3, skew %4, kurt %5)")
                                   .arg(run.label)
                                   .arg(m.mean, 0, 'f', 2)
                                   .arg(m.variance, 0, 'f', 2)
                                   .arg(m.skewness, 0, 'f', 2)
                                   .arg(m.kurtosis, 0, 'f', 2),
                               runColor(run), style().lineWidth());
            g->setLineStyle(QCPGraph::lsStepLeft);
            g->setData(keys, vals, true);
        }
    }
    legend->setVisible(plottableCount() <= 16);
    finishRanges(this, followsData());
}

} // namespace ntk
