#pragma once
// The spectrum over training: epoch × eigenvalue index, coloured by log₁₀ of the eigenvalue; with a pinned
// run, by log₁₀ of the ratio to the pinned run's eigenvalue at the nearest earlier stored epoch (A/B), on a
// diverging scale centred at 0.
#include "live_plot.h"

namespace ntk {

class SpectrumHeatmapPlot : public LivePlot {
    Q_OBJECT
public:
    explicit SpectrumHeatmapPlot(QWidget* parent = nullptr);
    void applyStyle(const PlotStyle& style) override;

protected:
    void rebuild(const RunHistory& history) override;
    QString hoverText(const QPoint& pixel) const override;
    bool supportsLogScale() const override { return false; }

private:
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    bool ratioMode_ = false; // a run is pinned: cells compare with it
};

} // namespace ntk
