#pragma once
// λ_max against the training loss along each run of a scene (a curve in training order), or the distribution
// (CDF) of log₁₀ of each run's final eigenvalues with their moments in the legend.
#include "comparison_plot.h"

namespace ntk {

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
