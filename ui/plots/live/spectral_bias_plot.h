#pragma once
// Spectral bias: per epoch, how much of the initial residual is left along a few eigenvectors of the initial
// NTK (solid), beside the linearized prediction |1 − ηκ_k/(nO)|^t (dashed). A theory view: it reads the run's
// history and evaluates closed-form formulas of core/theory.h; it computes no kernel.
#include "live_plot.h"

namespace ntk {

class SpectralBiasPlot : public LivePlot {
    Q_OBJECT
public:
    explicit SpectralBiasPlot(QWidget* parent = nullptr);

protected:
    void rebuild(const RunHistory& history) override;

private:
    static constexpr int maxDirections = 8;
    void drawPinned(int direction, QCPGraph* graph, bool inLegend);
};

} // namespace ntk
