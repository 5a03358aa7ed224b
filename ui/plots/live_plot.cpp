// LivePlot: the base of the live run's plots (see live_plot.h).
#include "live_plot.h"

namespace ntk {

void LivePlot::refresh(const RunHistory& history) {
    history_ = &history;
    redraw();
}

void LivePlot::refreshNow(const RunHistory& history) {
    history_ = &history;
    if (waitingText().isEmpty()) // else the plot stays empty, showing what it waits for
        rebuild(history);
    replot();
}

void LivePlot::setReference(const RunHistory* reference) {
    reference_ = reference;
    redraw();
}

} // namespace ntk
