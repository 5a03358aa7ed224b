#pragma once
// The base of the plots that compare the runs of a scene (one colour per run). They draw SceneResults; the
// numbers they show across runs come from scene_summary.h, the same code the command line writes to runs.csv.
#include "ntk_plot.h"
#include "scene_results.h"
#include "scene_summary.h"

namespace ntk {

class ComparisonPlot : public NtkPlot {
    Q_OBJECT
public:
    using NtkPlot::NtkPlot;
    // Draws `results` (kept by reference); with no finished run yet, a waiting text instead of axes.
    void refresh(const SceneResults& results);

protected:
    bool hasData() const override { return results_ != nullptr && !results_->runs.empty(); }
    const SceneResults& results() const { return *results_; }
    void clearGraphsAndItems();
    QColor runColor(const RunResult& run) const;
    // A run's legend entry: in a grid of two settings, their values only ("16, ntk"), so a dozen runs fit
    // under the plot; the axis and the strip plot name the settings.
    QString legendLabel(const RunResult& run) const;
    // The epoch of every run's final kernel when they all share one (e.g. 1 in a scene about the initial
    // kernel), so titles can say "at epoch 1" instead of a "final" that reads as "after training".
    std::optional<int> commonFinalEpoch() const;
    // "final trace" becomes "trace at epoch 1" when every run ends at the same epoch.
    QString atFinalEpoch(const QString& finalLabel) const;

private:
    const SceneResults* results_ = nullptr;
};

} // namespace ntk
