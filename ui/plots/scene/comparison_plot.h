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
    void refresh(const SceneResults& results) {
        results_ = &results;
        redraw();
    }

protected:
    bool hasData() const override { return results_ != nullptr; }
    const SceneResults& results() const { return *results_; }
    void clearGraphsAndItems();
    QColor runColor(const RunResult& run) const;

private:
    const SceneResults* results_ = nullptr;
};

} // namespace ntk
