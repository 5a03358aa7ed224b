#pragma once
// The theory views: what the linearized (NTK) dynamics predict, drawn over what the network does.
// Both read the run's history and evaluate closed-form formulas of core/theory.h; neither computes a kernel.
#include "ntk_plot.h"

namespace ntk {

// Spectral bias: per epoch, how much of the initial residual is left along a few eigenvectors of the
// initial NTK (solid), beside the linearized prediction |1 - lr kappa_k/(nO)|^t (dashed).
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

// Regularization as a spectral filter: over the eigenvalues of the initial NTK, the share of the target
// fitted so far along each eigenvector (dots), the early-stopping filter at this epoch and the ridge filter
// of the run's L2.
class SpectralFilterPlot : public LivePlot {
    Q_OBJECT
public:
    explicit SpectralFilterPlot(QWidget* parent = nullptr);

protected:
    void rebuild(const RunHistory& history) override;
};

} // namespace ntk
