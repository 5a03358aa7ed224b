#pragma once
// Regularization as a spectral filter: over the eigenvalues of the initial NTK, the share of the target
// fitted so far along each eigenvector (dots), beside the early-stopping filter at this epoch and the ridge
// filter of the run's L2. A theory view: it reads the run's history and evaluates closed-form formulas of
// core/theory.h; it computes no kernel.
#include "live_plot.h"

namespace ntk {

class SpectralFilterPlot : public LivePlot {
    Q_OBJECT
public:
    explicit SpectralFilterPlot(QWidget* parent = nullptr);

protected:
    void rebuild(const RunHistory& history) override;
};

} // namespace ntk
