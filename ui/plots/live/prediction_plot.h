#pragma once
// For 1-D and 2-D inputs: the network's decision regions (paler where it is unsure) or its regression or
// class-probability curve, with the training points filled and the test points as rings; a pinned run's
// decision boundary or curve beside them. Other inputs get a message in the plot's middle instead.
#include "live_plot.h"

namespace ntk {

class PredictionPlot : public LivePlot {
    Q_OBJECT
public:
    explicit PredictionPlot(QWidget* parent = nullptr);
    QString nothingToDrawReason() const override;

protected:
    void rebuild(const RunHistory& history) override;
    bool supportsLogScale() const override { return false; }

private:
    QCPItemPixmap* regions_;
    QString reason_; // why there is nothing to draw, shown as the plot's waiting text; empty when drawable
};

} // namespace ntk
