#pragma once
// The NTK eigenvalues λ_k of the latest kernel epoch, sorted largest first (log axis by default), with the
// spectrum at initialization dashed as a reference, the analytic infinite-width spectrum where the
// architecture has one, and a pinned run's spectrum for A/B comparison. On the log axis, eigenvalues ≤ 0 and
// a single-precision kernel's round-off are left out, with a note saying how many.
#include "live_plot.h"

namespace ntk {

class SpectrumPlot : public LivePlot {
    Q_OBJECT
public:
    explicit SpectrumPlot(QWidget* parent = nullptr);

protected:
    void rebuild(const RunHistory& history) override;
};

} // namespace ntk
