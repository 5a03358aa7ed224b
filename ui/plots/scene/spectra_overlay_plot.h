#pragma once
// The final (solid) and initial (dashed) spectra of every run of a scene, overlaid, one colour per run.
#include "comparison_plot.h"

namespace ntk {

class SpectraOverlayPlot : public ComparisonPlot {
    Q_OBJECT
public:
    explicit SpectraOverlayPlot(QWidget* parent = nullptr);

protected:
    void rebuild() override;
};

} // namespace ntk
