#pragma once
// A per-epoch quantity of every run of a scene, overlaid: λ_max, the sharpness in units of each run's
// 2/η (the edge of stability at 1), or the test (solid) and train (dashed) loss; a run that stopped early
// or diverged gets a dotted line at its stop epoch.
#include "comparison_plot.h"

namespace ntk {

class EpochOverlayPlot : public ComparisonPlot {
    Q_OBJECT
public:
    enum class Quantity { LambdaMax, Sharpness, Loss };
    EpochOverlayPlot(Quantity quantity, QWidget* parent = nullptr);
    // Between LambdaMax and Sharpness (the plot's place on the scene page is the same).
    void setQuantity(Quantity quantity);
    Quantity quantity() const { return quantity_; }

protected:
    void rebuild() override;

private:
    void label();
    Quantity quantity_;
};

} // namespace ntk
