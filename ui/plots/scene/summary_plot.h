#pragma once
// A summary metric of each run against the setting the scene varies, one line per value of its second
// setting, with the infinite-width value where there is one and a least-squares line for the trace.
#include "comparison_plot.h"

namespace ntk {

class SummaryPlot : public ComparisonPlot {
    Q_OBJECT
public:
    explicit SummaryPlot(QWidget* parent = nullptr);
    void setMetric(SummaryMetric metric);
    SummaryMetric metric() const { return metric_; }

protected:
    void rebuild() override;
    bool supportsLogScale() const override { return true; }

private:
    SummaryMetric metric_ = SummaryMetric::LambdaMax;
};

} // namespace ntk
