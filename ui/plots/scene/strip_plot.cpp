// StripPlot: final eigenvalues, one column per run (see strip_plot.h).
#include "strip_plot.h"

#include "plot_helpers.h"

namespace ntk {
namespace {

// "l2 = 0.001" on an axis already titled l2 reads better as "0.001"; grid labels go on two lines.
QString shortLabel(const Scene& scene, const SceneRun& run) {
    QString label = run.label;
    for (const QString& key : {scene.sweepKey, scene.seriesKey})
        if (!key.isEmpty())
            label.replace(key + " = ", "");
    return displayRunLabel(label).replace(", ", "\n");
}

} // namespace

StripPlot::StripPlot(QWidget* parent)
    : ComparisonPlot("scene_strip", tr("Final eigenvalues by run"), parent) {
    yAxis->setLabel(tr("eigenvalue λₖ"));
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
    xAxis->setLabel(scene.sweepKey.isEmpty() ? tr("run") : settingName(scene.sweepKey));
    const std::optional<int> epoch = commonFinalEpoch();
    setTitleText(epoch ? tr("Eigenvalues at epoch %1, by run").arg(*epoch) : title());
    int hidden = 0;
    for (const RunResult& run : results().runs) {
        const EpochReport* first = run.firstKernel();
        const EpochReport* last = run.finalKernel();
        if (!last)
            continue;
        auto dots = [&](const Eigen::VectorXd& values, double offset, const QColor& color, double size) {
            QVector<double> keys(values.size(), run.index + offset), vals = toQVector(values);
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
    // Short: a note wider than the plot squeezes its axes rect to nothing (QCustomPlot does not wrap it).
    setNote(
        (epoch ? tr("grey: initial; colour: epoch %1").arg(*epoch) : tr("grey: initial; colour: trained")) +
        (hidden > 0 ? tr(" · %1 ≤ 0 hidden").arg(hidden) : QString()));
    if (followsData()) {
        finishRanges(this, true);
        xAxis->setRange(-0.6, std::max<double>(0.6, double(scene.runs.size()) - 0.4));
    }
}

} // namespace ntk
