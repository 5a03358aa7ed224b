#pragma once
// Where the kernel lives: each layer's share of the NTK's trace over the epochs, as stacked bands (W1, the
// input layer, at the bottom; the output layer on top). The shares come from each layer's exact diagonal,
// which every NTK epoch reports (EpochReport::layerTraces); the plot only stacks them.
#include "live_plot.h"

namespace ntk {

class LayerSharePlot : public LivePlot {
    Q_OBJECT
public:
    explicit LayerSharePlot(QWidget* parent = nullptr);

protected:
    void rebuild(const RunHistory& history) override;

private:
    void ensureBands(int layers);
};

} // namespace ntk
