#pragma once
// The final eigenvalues of every run of a scene, one column of dots per run, with its eigenvalues at
// initialization in grey beside them.
#include "comparison_plot.h"

namespace ntk {

class StripPlot : public ComparisonPlot {
    Q_OBJECT
public:
    explicit StripPlot(QWidget* parent = nullptr);

protected:
    void rebuild() override;
};

} // namespace ntk
