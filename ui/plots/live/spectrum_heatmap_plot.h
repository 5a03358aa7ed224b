#pragma once
// The spectrum over training: epoch × eigenvalue index, coloured by how each eigenvalue changed, log₁₀ of
// its ratio to the same index at the first stored epoch (the eigenvalues themselves span decades and hide
// changes of a few per cent; the spectrum plot shows them). With a pinned run, log₁₀ of the ratio to the
// pinned run's eigenvalue at the nearest earlier stored epoch (A/B). Both on a diverging scale centred at 0.
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
    bool ratioMode_ = false; // a run is pinned: cells compare with it, else with the first epoch
    int firstEpoch_ = 0;
    Eigen::VectorXd firstSpectrum_; // for the hover text
};

} // namespace ntk
