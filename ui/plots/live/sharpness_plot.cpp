// SharpnessPlot: the curvature of the training objective against the edge of stability (see
// sharpness_plot.h).
#include "sharpness_plot.h"

#include "plot_helpers.h"
#include "plot_style.h"
#include "theory.h"

#include <functional>
#include <optional>

namespace ntk {
namespace {

using Value = std::function<std::optional<double>(const EpochReport&)>;

// The curvature series, in the order of their graphs; the training loss comes after them. Short names: the
// plot shares the lower-right panel with the list of plots, and four long entries took two columns of
// the panel's height in presentation mode; the tooltip says what each is.
struct CurvatureSeries {
    const char* name;
    Value value;
    int color;
    bool dashed;
};

std::vector<CurvatureSeries> curvatureSeries() {
    return {
        {QT_TRANSLATE_NOOP("SharpnessPlot", "λₘₐₓ(H)"), [](const EpochReport& r) { return r.sharpness; }, 0,
         false},
        {QT_TRANSLATE_NOOP("SharpnessPlot", "λₘₐₓ(G)"),
         [](const EpochReport& r) { return r.gaussNewtonLambdaMax; }, 2, false},
        {QT_TRANSLATE_NOOP("SharpnessPlot", "NTK λₘₐₓ, rescaled"),
         [](const EpochReport& r) { return r.kernelSharpness; }, 3, true},
        {QT_TRANSLATE_NOOP("SharpnessPlot", "λₘₐₓ(P⁻¹H)"),
         [](const EpochReport& r) { return r.preconditionedSharpness; }, 5, false},
    };
}

QColor thresholdColor(SharpnessThreshold::Kind kind) {
    switch (kind) {
    case SharpnessThreshold::Kind::GradientDescent:
        return QColor(120, 0, 160);
    case SharpnessThreshold::Kind::HeavyBall:
        return QColor(200, 90, 0);
    case SharpnessThreshold::Kind::Adam:
        return QColor(0, 120, 120);
    }
    return Qt::black;
}

QString thresholdText(SharpnessThreshold::Kind kind, double value) {
    const QString number = QString::number(value, 'g', 3);
    switch (kind) {
    case SharpnessThreshold::Kind::GradientDescent:
        return SharpnessPlot::tr("2/η = %1").arg(number);
    case SharpnessThreshold::Kind::HeavyBall:
        return SharpnessPlot::tr("(2+2β)/η = %1, momentum").arg(number);
    case SharpnessThreshold::Kind::Adam:
        return SharpnessPlot::tr("(2+2β₁)/((1−β₁)η) = %1, Adam's P⁻¹H").arg(number);
    }
    return {};
}

constexpr int thresholdKinds = 3;

} // namespace

SharpnessPlot::SharpnessPlot(QWidget* parent)
    : LivePlot("sharpness", tr("Sharpness"), parent) {
    xAxis->setLabel(tr("epoch"));
    useIntegerTicks(xAxis);
    // Short: a label that does not fit its axis on two lines makes the whole plot's text smaller (NtkPlot),
    // and the legend names each curve.
    yAxis->setLabel(tr("eigenvalue"));
    for (const CurvatureSeries& s : curvatureSeries())
        addLine(this, tr(s.name), PlotStyle::color(s.color), style().lineWidth(), s.dashed);
    QColor lossColor(110, 110, 110);
    addLine(this, tr("loss (right)"), lossColor, style().lineWidth() * 0.8, true, yAxis2);
    yAxis2->setVisible(true);
    yAxis2->setLabel(tr("train loss"));
    // Linear: a lecture's short run spans less than a decade of loss, where a log axis has one tick.
    legend->setVisible(true);
    for (int k = 0; k < thresholdKinds; ++k) {
        Threshold t;
        t.line = new QCPItemStraightLine(this);
        t.label = new QCPItemText(this);
        t.label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        t.label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        t.line->setVisible(false);
        t.label->setVisible(false);
        thresholds_.push_back(t);
    }
    setToolTip(tr(
        "Sharpness λₘₐₓ(H): the largest eigenvalue of the Hessian H of the training objective (data loss "
        "plus L2), "
        "by Lanczos on exact Hessian-vector products every K-th epoch (Settings: Hessian every K). Gradient "
        "descent with step η is stable on a quadratic only while the sharpness stays below 2/η. Full-batch "
        "training often sharpens progressively until it reaches 2/η and then hovers there while the loss "
        "keeps falling, unevenly: the edge of stability. λₘₐₓ(G) is the top of the Gauss-Newton part G of H; "
        "for mse with one output it equals the NTK's λₘₐₓ divided by nO (dashed: λₘₐₓ(K)/(nO²) for mse, "
        "λₘₐₓ(K)/(2nO) for cross-entropy). With momentum β the line is (2+2β)/η; Adam's step sees "
        "P⁻¹H for its preconditioner P, whose λₘₐₓ is bounded by (2+2β₁)/((1−β₁)η)."));
}

void SharpnessPlot::placeThresholds(const RunHistory& history) {
    for (Threshold& t : thresholds_) {
        t.line->setVisible(false);
        t.label->setVisible(false);
    }
    if (!history.hasRun() || !history.latest())
        return;
    const RunConfig& c = history.info().config;
    QStringList offView;
    for (const SharpnessThreshold& s : sharpnessThresholds(c.optimizer, c.learningRate, c.momentum)) {
        Threshold& t = thresholds_[std::size_t(s.kind)];
        const QColor color = thresholdColor(s.kind);
        t.line->setPen(QPen(color, style().lineWidth() * 0.75, Qt::DashDotLine));
        t.line->point1->setCoords(0, s.value);
        t.line->point2->setCoords(1, s.value);
        t.label->position->setCoords(0.02, s.value);
        t.label->setText(thresholdText(s.kind, s.value));
        t.label->setColor(color);
        t.label->setFont(style().legendFont());
        const bool inView = yAxis->range().contains(s.value);
        t.line->setVisible(true);
        t.label->setVisible(inView);
        if (!inView)
            offView << thresholdText(s.kind, s.value);
    }
    if (!offView.isEmpty())
        setNote(tr("off the axis: %1").arg(offView.join(tr("; "))));
}

void SharpnessPlot::rebuild(const RunHistory& history) {
    configureValueAxis(yAxis, logScale());
    const std::vector<CurvatureSeries> series = curvatureSeries();
    bool anyCurvature = false, anyDrawn = false;
    const auto fill = [&](int index, const Value& value, bool positiveOnly) {
        return setEpochSeries(graph(index), history.reports(), value, positiveOnly, style().markerSize());
    };
    if (history.hasRun())
        graph(2)->setName(history.info().config.loss == LossKind::Mse ? tr("NTK λₘₐₓ/(nO²)")
                                                                      : tr("NTK λₘₐₓ/(2nO)"));
    for (int s = 0; s < int(series.size()); ++s) {
        const bool drawn = fill(s, series[std::size_t(s)].value, logScale());
        // The Adam series and the rescaled NTK only where the run has them: no legend entry for nothing.
        if (drawn)
            graph(s)->addToLegend();
        else
            graph(s)->removeFromLegend();
        if (s != 2)
            anyCurvature = anyCurvature || drawn;
        anyDrawn = anyDrawn || drawn;
    }
    fill(
        int(series.size()), [](const EpochReport& r) -> std::optional<double> { return r.trainLoss; }, true);
    if (const EpochReport* latest = history.latest())
        setTitleText(epochTitle(title(), latest->epoch));
    setNote(QString());
    if (followsData()) {
        rescaleAxes();
        ensureDrawableRange(xAxis);
        ensureDrawableRange(yAxis);
        ensureDrawableRange(yAxis2);
        // The lines the sharpness is read against stay in view when it is near them: up to above the
        // lowest one by room for its label (at 1.15 the label was cut at the axes' top in the small
        // lower-right panel of presentation mode), or the data's top if that is higher.
        if (history.hasRun() && history.latest() && anyDrawn) {
            const RunConfig& c = history.info().config;
            const double lowest = sharpnessThresholds(c.optimizer, c.learningRate, c.momentum).front().value;
            if (yAxis->range().upper < 1.3 * lowest && yAxis->range().upper > 0.25 * lowest)
                yAxis->setRangeUpper(1.3 * lowest);
            if (!logScale() && yAxis->range().lower > 0)
                yAxis->setRangeLower(0.0);
        }
    }
    if (followsData() && yAxis2->range().lower > 0)
        yAxis2->setRangeLower(0.0);
    placeThresholds(history);
    // Without the Hessian the plot still shows the NTK's λₘₐₓ against 2/η (the linearized edge) and the
    // loss; the note says how to add the sharpness, or why it is missing.
    QString waiting, missing;
    if (history.hasRun() && !history.reports().empty() && !anyCurvature) {
        const RunConfig& c = history.info().config;
        bool failed = false;
        for (const EpochReport& r : history.reports())
            failed = failed || r.curvatureFailed;
        if (c.hessianEvery <= 0)
            missing = tr("sharpness off: set “Hessian every K epochs” above 0");
        else if (failed)
            missing = tr("Lanczos did not converge on the Hessian: no sharpness (the run is fine)");
        if (!anyDrawn)
            waiting = missing;
    }
    if (!missing.isEmpty() && anyDrawn)
        setNote(note().isEmpty() ? missing : missing + tr("; ") + note());
    setWaitingText(waiting);
}

} // namespace ntk
