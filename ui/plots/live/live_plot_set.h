#pragma once
// The live plots of the main window, in display order. Each one reads a RunHistory and draws; none computes
// anything about the kernel.
#include "live_plot.h"

#include <vector>

namespace ntk {

// The plots of the main window, in display order.
std::vector<LivePlot*> createPlots(QWidget* parent);

} // namespace ntk
