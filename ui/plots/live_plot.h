#pragma once
// A plot of the live run on screen, the base of every plot in plots/live/: it reads the run's RunHistory
// (and, for A/B comparison, a pinned earlier run drawn faintly beside it) and draws; none computes anything
// about the kernel.
#include "ntk_plot.h"
#include "run_history.h"

namespace ntk {

class LivePlot : public NtkPlot {
    Q_OBJECT
public:
    using NtkPlot::NtkPlot;
    // Takes the run's current data (ending a waiting text, ntk_plot.h); draws with a queued replot. The
    // history must outlive the plot.
    void refresh(const RunHistory& history);
    // The same, drawn now rather than in a queued replot: the window draws its plots one per event-loop
    // turn, and a queued replot would put them all back into one turn.
    void refreshNow(const RunHistory& history);
    // A pinned earlier run drawn faintly beside the live one (A/B comparison); nullptr removes it.
    void setReference(const RunHistory* reference);

protected:
    virtual void rebuild(const RunHistory& history) = 0;
    const RunHistory* reference() const { return reference_ && reference_->hasRun() ? reference_ : nullptr; }
    bool hasData() const override { return history_ != nullptr; }
    bool supportsAnimationExport() const override { return true; }
    void rebuild() override { rebuild(*history_); }

private:
    const RunHistory* history_ = nullptr;
    const RunHistory* reference_ = nullptr;
};

} // namespace ntk
