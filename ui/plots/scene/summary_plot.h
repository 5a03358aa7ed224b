#pragma once
// A summary metric of each run against the setting the scene varies, one line per value of its second
// setting, with the infinite-width value where there is one and a least-squares line for the trace and
// lambda_max against n. Several metrics of one unit (the trace and lambda_max, both eigenvalues) can share
// the plot, one line each, for a scene without a second setting.
#include "comparison_plot.h"

#include <vector>

namespace ntk {

class SummaryPlot : public ComparisonPlot {
    Q_OBJECT
public:
    explicit SummaryPlot(QWidget* parent = nullptr);
    void setMetric(SummaryMetric metric) { setMetrics({metric}); }
    void setMetrics(std::vector<SummaryMetric> metrics); // at least one
    SummaryMetric metric() const { return metrics_.front(); }

protected:
    void rebuild() override;
    bool supportsLogScale() const override { return true; }

private:
    std::vector<SummaryMetric> metrics_{SummaryMetric::LambdaMax};
};

} // namespace ntk
