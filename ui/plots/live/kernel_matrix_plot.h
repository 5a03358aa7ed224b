#pragma once
// The kernel matrix Θ of the latest kernel epoch, with the training points ordered by class and white lines
// between the classes; a pinned run with as many points fills the lower triangle. Large kernels are drawn
// block-averaged, at most 400 cells a side.
#include "live_plot.h"

namespace ntk {

class KernelMatrixPlot : public LivePlot {
    Q_OBJECT
public:
    explicit KernelMatrixPlot(QWidget* parent = nullptr);
    void applyStyle(const PlotStyle& style) override;

protected:
    void rebuild(const RunHistory& history) override;
    QString hoverText(const QPoint& pixel) const override;
    bool supportsLogScale() const override { return false; }

private:
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    std::vector<QCPItemStraightLine*> classLines_;
    bool pinnedTriangle_ = false; // the lower triangle shows the pinned run
};

} // namespace ntk
