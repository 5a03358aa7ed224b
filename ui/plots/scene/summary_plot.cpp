// SummaryPlot: a metric against the varied setting (see summary_plot.h).
#include "summary_plot.h"

#include "plot_helpers.h"

#include <QRegularExpression>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ntk {

SummaryPlot::SummaryPlot(QWidget* parent)
    : ComparisonPlot("scene_summary", tr("Summary across runs"), parent) {
    legend->setVisible(true);
}

void SummaryPlot::setMetrics(std::vector<SummaryMetric> metrics) {
    if (!metrics.empty())
        metrics_ = std::move(metrics);
    resetView();
}

void SummaryPlot::rebuild() {
    clearGraphsAndItems();
    // Values over two or more decades (lambda_max by parameterization, Frobenius norm by L2) read on a
    // log axis; the user's own choice from the context menu wins.
    const Scene& scene = results().scene;
    // Several metrics share the plot only where each has one line (no second setting).
    const std::vector<SummaryMetric> shown =
        scene.seriesKey.isEmpty() ? metrics_ : std::vector<SummaryMetric>{metrics_.front()};
    // A numeric x axis when every value is positive (n, width, depth); otherwise one slot per value, so
    // L2 = 0 has a place next to 1e-4.
    std::vector<double> values;
    for (const SceneRun& run : scene.runs)
        if (std::find(values.begin(), values.end(), run.sweepValue) == values.end())
            values.push_back(run.sweepValue);
    std::sort(values.begin(), values.end());
    const bool numeric = !scene.sweepKey.isEmpty() && !values.empty() && values.front() > 0;
    const bool logX = numeric && values.back() / values.front() >= 16;
    double smallest = std::numeric_limits<double>::infinity(), largest = 0.0;
    for (SummaryMetric metric : shown)
        for (const RunResult& run : results().runs)
            if (const auto v = finalMetric(run, metric); v && *v > 0.0 && std::isfinite(*v)) {
                smallest = std::min(smallest, *v);
                largest = std::max(largest, *v);
            }
    // Two metrics against a log x axis: a decade of values reads on a log axis too (a power law is a line).
    if (largest > 0.0)
        suggestLogScale(largest / smallest >= (logX && shown.size() > 1 ? 10.0 : 100.0));
    configureValueAxis(yAxis, logScale());
    QStringList labels;
    for (SummaryMetric metric : shown)
        labels << metricLabel(metric);
    const QString against =
        scene.sweepKey.isEmpty() ? QString() : tr(" against ") + settingName(scene.sweepKey);
    if (shown.size() > 1) { // "Final trace and λₘₐₓ against training points n": one "final", no epoch
        QStringList names;
        for (SummaryMetric metric : shown)
            names << metricLabel(metric).remove(QRegularExpression("^final "));
        yAxis->setLabel(tr("eigenvalue"));
        setTitleText(tr("Final %1").arg(names.join(tr(" and "))) + against);
    } else {
        yAxis->setLabel(labels.front());
        setTitleText(atFinalEpoch(labels.front()) + against);
    }
    configureValueAxis(xAxis, logX);
    if (numeric) {
        xAxis->setLabel(settingName(scene.sweepKey));
        if (logX) {
            useSparseLogTicks(xAxis); // decades, as on the log value axes
        } else { // the empty scene shown before any run starts leaves a text ticker behind
            xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
            xAxis->ticker()->setTickCount(5);
        }
    } else {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (int i = 0; i < int(values.size()); ++i)
            ticker->addTick(i, QString::number(values[i], 'g', 4));
        if (scene.sweepKey.isEmpty())
            for (const SceneRun& run : scene.runs) // one label line per part, so neighbours fit
                ticker->addTick(run.sweepValue, displayRunLabel(run.label).replace(", ", "\n"));
        xAxis->setTicker(ticker);
        xAxis->setLabel(scene.sweepKey.isEmpty() ? tr("run") : settingName(scene.sweepKey));
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
    QStringList notes;
    for (int m = 0; m < int(shown.size()); ++m) {
        const SummaryMetric metric = shown[m];
        for (int s = 0; s < int(seriesValues.size()); ++s) {
            QVector<double> keys, vals;
            for (const RunResult& run : results().runs)
                if (run.seriesValue == seriesValues[s])
                    if (const auto v = finalMetric(run, metric)) {
                        keys << xOf(run.sweepValue);
                        vals << *v;
                    }
            filterForAxis(keys, vals, logScale());
            QString seriesLabel = QString::number(seriesValues[s], 'g', 4);
            for (const RunResult& run : results().runs)
                if (run.seriesValue == seriesValues[s] && !run.seriesLabel.isEmpty())
                    seriesLabel = run.seriesLabel;
            const QString name = scene.seriesKey.isEmpty()
                                     ? metricLabel(metric)
                                     : settingSymbol(scene.seriesKey) + " = " + seriesLabel;
            QCPGraph* g =
                addLine(this, name, PlotStyle::color(shown.size() > 1 ? m : s), style().lineWidth());
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, style().markerSize() * 1.4));
            g->setData(keys, vals, true);
        }
        // The infinite-width value for the same points and architecture, where there is one.
        std::map<double, double> limits;
        for (const RunResult& run : results().runs)
            if (const auto limit = infiniteWidthMetric(run, metric))
                limits[xOf(run.sweepValue)] = *limit;
        if (!limits.empty() && shown.size() == 1) { // with several metrics the legend would outgrow the plot
            QVector<double> keys, vals;
            for (const auto& [x, y] : limits) {
                keys << x;
                vals << y;
            }
            filterForAxis(keys, vals, logScale());
            QCPGraph* g = addLine(this, tr("infinite width"), PlotStyle::color(4), style().lineWidth(), true);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, style().markerSize() * 1.4));
            g->setData(keys, vals, true);
        }
        if (numeric && scene.seriesKey.isEmpty() &&
            (metric == SummaryMetric::Trace || (metric == SummaryMetric::LambdaMax && scene.sweepKey == "n")))
            if (const auto fit = metricFit(results().runs, metric)) {
                // One legend entry for every fit line; on a log axis the line is sampled, as a straight
                // segment there would not be the fitted line.
                const bool firstFit = notes.isEmpty();
                QCPGraph* g =
                    addLine(this, shown.size() > 1 ? tr("least-squares lines") : tr("least-squares line"),
                            QColor(60, 60, 60), style().lineWidth() * 0.7, true);
                if (!firstFit)
                    g->removeFromLegend();
                QVector<double> keys, vals;
                const int samples = logX ? 64 : 2;
                for (int i = 0; i < samples; ++i) {
                    const double t = double(i) / (samples - 1);
                    const double x = logX ? values.front() * std::pow(values.back() / values.front(), t)
                                          : values.front() + t * (values.back() - values.front());
                    keys << x;
                    vals << fit->intercept + fit->slope * x;
                }
                filterForAxis(keys, vals, logScale());
                g->setData(keys, vals, true);
                notes << tr("%1 ≈ %2 · %3 %4 %5,  R² = %6")
                             .arg(metric == SummaryMetric::Trace ? tr("trace") : tr("λₘₐₓ"))
                             .arg(fit->slope, 0, 'g', 4)
                             .arg(settingSymbol(scene.sweepKey))
                             .arg(fit->intercept < 0 ? "−" : "+")
                             .arg(std::abs(fit->intercept), 0, 'g', 4)
                             .arg(fit->rSquared, 0, 'f', 4);
            }
    }
    const QString note = notes.join(tr("; "));
    // Runs that differ in several ways (explicit runs) have no order: a line from one to the next would
    // claim a trend between unrelated categories, so they get markers only.
    if (scene.sweepKey.isEmpty())
        for (int i = 0; i < graphCount(); ++i)
            graph(i)->setLineStyle(QCPGraph::lsNone);
    setNote(note);
    legend->setVisible(graphCount() > 1);
    finishRanges(this, followsData());
    if (followsData() && !numeric) {
        const double last =
            scene.sweepKey.isEmpty() ? double(scene.runs.size() - 1) : double(values.size() - 1);
        xAxis->setRange(-0.5, std::max(0.5, last + 0.5));
    }
}

} // namespace ntk
