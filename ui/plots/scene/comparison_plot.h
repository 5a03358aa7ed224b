#pragma once
// Plots that compare the runs of a scene (one colour per run). They draw SceneResults; the numbers they
// show across runs come from scene_summary.h, the same code the command line writes to runs.csv.
#include "ntk_plot.h"
#include "scene.h"
#include "scene_summary.h"

namespace ntk {

// The runs of a scene finished so far, in scene order (partial while a sweep is running).
struct SceneResults {
    Scene scene;
    std::vector<RunResult> runs; // sorted by index
    void add(RunResult result);
};

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

// Final eigenvalues, one column per run (grey: at initialization).
class StripPlot : public ComparisonPlot {
    Q_OBJECT
public:
    explicit StripPlot(QWidget* parent = nullptr);

protected:
    void rebuild() override;
};

// Final (solid) and initial (dashed) spectra of every run.
class SpectraOverlayPlot : public ComparisonPlot {
    Q_OBJECT
public:
    explicit SpectraOverlayPlot(QWidget* parent = nullptr);

protected:
    void rebuild() override;
};

// A per-epoch quantity of every run: lambda_max, or the test (solid) and train (dashed) loss.
class EpochOverlayPlot : public ComparisonPlot {
    Q_OBJECT
public:
    enum class Quantity { LambdaMax, Loss };
    EpochOverlayPlot(Quantity quantity, QWidget* parent = nullptr);

protected:
    void rebuild() override;

private:
    Quantity quantity_;
};

// A summary metric against the varied setting, with a least-squares line for the trace.
class SummaryPlot : public ComparisonPlot {
    Q_OBJECT
public:
    explicit SummaryPlot(QWidget* parent = nullptr);
    void setMetric(SummaryMetric metric);
    SummaryMetric metric() const { return metric_; }

protected:
    void rebuild() override;
    bool supportsLogScale() const override { return true; }

private:
    SummaryMetric metric_ = SummaryMetric::LambdaMax;
};

// lambda_max against the training loss along each run, or the distribution (CDF) of log10 eigenvalues.
class TrajectoryPlot : public ComparisonPlot {
    Q_OBJECT
public:
    enum class Mode { LambdaVsLoss, Density };
    explicit TrajectoryPlot(QWidget* parent = nullptr);
    void setMode(Mode mode);

protected:
    void rebuild() override;

private:
    Mode mode_ = Mode::LambdaVsLoss;
};

} // namespace ntk
