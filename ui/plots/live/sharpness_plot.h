#pragma once
// The edge of stability, live: the sharpness (largest eigenvalue of the training objective's Hessian H),
// the Gauss-Newton matrix's largest eigenvalue, the NTK's largest in the same units, and with Adam the
// preconditioned sharpness, over the epochs; horizontal lines where the run's optimizer stops being
// stable on a quadratic (2/η, (2+2β)/η with momentum, Adam's bound on the preconditioned sharpness); the
// training loss on the right-hand axis. Everything is read from the reports (Trainer::measureCurvature
// every hessian-every-th epoch) and from core/theory.h's thresholds.
#include "live_plot.h"

#include <vector>

namespace ntk {

class SharpnessPlot : public LivePlot {
    Q_OBJECT
public:
    explicit SharpnessPlot(QWidget* parent = nullptr);

protected:
    void rebuild(const RunHistory& history) override;

private:
    struct Threshold {
        QCPItemStraightLine* line = nullptr;
        QCPItemText* label = nullptr;
    };
    void placeThresholds(const RunHistory& history);
    std::vector<Threshold> thresholds_; // one per kind of core/theory.h's SharpnessThreshold
};

} // namespace ntk
