#pragma once
// A per-epoch quantity of every run of a scene, overlaid: λ_max, or the test (solid) and train (dashed) loss;
// a run that stopped early or diverged gets a dotted line at its stop epoch.
#include "comparison_plot.h"

namespace ntk {

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

} // namespace ntk
