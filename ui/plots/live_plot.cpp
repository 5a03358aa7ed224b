// LivePlot: the base of the live run's plots (see live_plot.h).
#include "live_plot.h"

namespace ntk {

void LivePlot::refresh(const RunHistory& history) {
    history_ = &history;
    setWaitingText({}); // data to draw: whatever the plot waited for is here
    redraw();
}

void LivePlot::refreshNow(const RunHistory& history) {
    history_ = &history;
    setWaitingText({});
    rebuildNow();
    replot();
}

void LivePlot::setReference(const RunHistory* reference) {
    reference_ = reference;
    redraw();
}

} // namespace ntk
