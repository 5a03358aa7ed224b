#include "plot_helpers.h"

#include "plot_style.h"

#include <QCoreApplication>
#include <algorithm>
#include <cmath>

namespace ntk {
namespace {

// Significant digits that tell apart ticks `step` apart on labels up to `magnitude`: from the leading digit
// of the largest label down to the last digit of the step (two digits for a step of 2.5 or 25).
int digitsForStep(double step, double magnitude) {
    if (!(step > 0.0) || !std::isfinite(step) || !(magnitude > 0.0) || !std::isfinite(magnitude))
        return 1;
    int lastDigit = int(std::floor(std::log10(step)));
    for (int extra = 0; extra < 3; ++extra) {
        const double units = step / std::pow(10.0, lastDigit);
        if (std::abs(units - std::round(units)) < 1e-6 * units)
            break;
        --lastDigit;
    }
    const int leadingDigit = int(std::floor(std::log10(magnitude)));
    return std::clamp(leadingDigit - lastDigit + 1, 1, 15);
}

// QCPAxisTicker, with label precision raised to digitsForStep of the step it just chose.
class StepPrecisionTicker : public QCPAxisTicker {
protected:
    double getTickStep(const QCPRange& range) override {
        step_ = QCPAxisTicker::getTickStep(range);
        magnitude_ = std::max(std::abs(range.lower), std::abs(range.upper));
        return step_;
    }
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override {
        return QCPAxisTicker::getTickLabel(tick, locale, formatChar,
                                           std::max(precision, digitsForStep(step_, magnitude_)));
    }

private:
    double step_ = 0.0;
    double magnitude_ = 0.0;
};

} // namespace

// A range QCustomPlot can draw even for one point or constant data, positive on log axes.
void ensureDrawableRange(QCPAxis* axis) {
    QCPRange range = axis->range();
    const bool log = axis->scaleType() == QCPAxis::stLogarithmic;
    if (log) {
        if (range.lower <= 0.0 || !std::isfinite(range.lower))
            range.lower = std::max(range.upper * 1e-6, 1e-300);
        if (range.upper / range.lower < 1.5)
            range = QCPRange(range.lower / 2.0, range.upper * 2.0);
        else
            range = QCPRange(range.lower / 1.5, range.upper * 1.5);
    } else {
        const double span = range.size();
        if (!(span > 1e-12 * std::max(1.0, std::abs(range.center()))))
            range = QCPRange(range.center() - std::max(1.0, std::abs(range.center()) * 0.1),
                             range.center() + std::max(1.0, std::abs(range.center()) * 0.1));
        else
            range = QCPRange(range.lower - 0.04 * span, range.upper + 0.04 * span);
    }
    axis->setRange(range);
}

void finishRanges(QCustomPlot* plot, bool follow) {
    if (!follow)
        return;
    plot->rescaleAxes();
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        QCPRange r = axis->range();
        const bool log = axis->scaleType() == QCPAxis::stLogarithmic;
        if (log) {
            if (r.lower <= 0)
                r.lower = r.upper * 1e-6;
            axis->setRange(r.upper / r.lower < 1.5 ? QCPRange(r.lower / 2, r.upper * 2)
                                                   : QCPRange(r.lower / 1.5, r.upper * 1.5));
        } else {
            const double pad = r.size() > 0 ? 0.05 * r.size() : std::max(1.0, std::abs(r.center()) * 0.1);
            axis->setRange(r.lower - pad, r.upper + pad);
        }
    }
}

QVector<double> toQVector(const Eigen::VectorXd& v) {
    return QVector<double>(v.begin(), v.end());
}

QCPGraph* addLine(QCustomPlot* plot, const QString& name, const QColor& color, double width, bool dashed,
                  QCPAxis* valueAxis) {
    QCPGraph* g = plot->addGraph(plot->xAxis, valueAxis ? valueAxis : plot->yAxis);
    g->setName(name);
    QPen pen(color, width);
    if (dashed)
        pen.setStyle(Qt::DashLine);
    g->setPen(pen);
    return g;
}

QCPColorGradient viridis() {
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.00, QColor(68, 1, 84));
    gradient.setColorStopAt(0.25, QColor(59, 82, 139));
    gradient.setColorStopAt(0.50, QColor(33, 145, 140));
    gradient.setColorStopAt(0.75, QColor(94, 201, 98));
    gradient.setColorStopAt(1.00, QColor(253, 231, 37));
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    return gradient;
}

QCPColorGradient divergingGradient() {
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.0, QColor(33, 102, 172));
    gradient.setColorStopAt(0.5, QColor(247, 247, 247));
    gradient.setColorStopAt(1.0, QColor(178, 24, 43));
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    return gradient;
}

void styleColorScale(QCPColorScale* scale, const PlotStyle& style) {
    scale->axis()->setTickLabelFont(style.tickFont());
    scale->axis()->setLabelFont(style.labelFont());
    scale->setBarWidth(int(12 * style.scale));
}

QCPColorScale* attachColorScale(QCustomPlot* plot, QCPColorMap* map, const QString& label) {
    auto* scale = new QCPColorScale(plot);
    plot->plotLayout()->addElement(plot->plotLayout()->rowCount() - 1, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->axis()->setLabel(label);
    map->setColorScale(scale);
    map->setGradient(viridis());
    // Keep the colour bar the height of the plot area.
    auto* group = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    useStepPrecisionTicks(scale);
    return scale;
}

void useStepPrecisionTicks(QCPColorScale* scale) {
    auto ticker = QSharedPointer<StepPrecisionTicker>::create();
    ticker->setTickCount(scale->axis()->ticker()->tickCount());
    scale->axis()->setTicker(ticker);
}

// Several series: the legend goes under the plot, two entries a row, so it never hides a curve.
void placeLegendBelow(QCustomPlot* plot) {
    plot->axisRect()->insetLayout()->take(plot->legend);
    const int row = plot->plotLayout()->rowCount();
    plot->plotLayout()->addElement(row, 0, plot->legend);
    plot->legend->setWrap(2);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst, true);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setMargins(QMargins(4, 0, 4, 2));
    plot->plotLayout()->setRowStretchFactor(row, 0.001);
}

QString epochTitle(const QString& what, int epoch) {
    return QString("%1, epoch %2").arg(what).arg(epoch);
}

namespace {

struct SettingText {
    const char* key;
    const char* name;
    const char* symbol;
};

// The settings a scene can vary, named as the control panel names them.
constexpr SettingText settingTexts[] = {
    {"n", QT_TRANSLATE_NOOP("ntk", "training points n"), "n"},
    {"test_n", QT_TRANSLATE_NOOP("ntk", "test points"), QT_TRANSLATE_NOOP("ntk", "test points")},
    {"l2", QT_TRANSLATE_NOOP("ntk", "L2 strength λ₂"), "λ₂"},
    {"l1", QT_TRANSLATE_NOOP("ntk", "L1 strength λ₁"), "λ₁"},
    {"lr", QT_TRANSLATE_NOOP("ntk", "learning rate η"), "η"},
    {"early_stop", QT_TRANSLATE_NOOP("ntk", "early-stopping patience"), QT_TRANSLATE_NOOP("ntk", "patience")},
    {"batch", QT_TRANSLATE_NOOP("ntk", "mini-batch size"), QT_TRANSLATE_NOOP("ntk", "batch")},
    {"param", QT_TRANSLATE_NOOP("ntk", "parameterization"), QT_TRANSLATE_NOOP("ntk", "param.")},
    {"ntk_every", QT_TRANSLATE_NOOP("ntk", "NTK every K epochs"), "K"},
    {"top_k", QT_TRANSLATE_NOOP("ntk", "top-k eigenvalues"), "k"},
    {"l1_mode", QT_TRANSLATE_NOOP("ntk", "L1 by"), QT_TRANSLATE_NOOP("ntk", "L1 by")},
    {"kernel_precision", QT_TRANSLATE_NOOP("ntk", "kernel precision"), QT_TRANSLATE_NOOP("ntk", "precision")},
};

const SettingText* findSettingText(const QString& key) {
    for (const SettingText& text : settingTexts)
        if (key == QLatin1String(text.key))
            return &text;
    return nullptr;
}

} // namespace

QString settingName(const QString& key) {
    if (const SettingText* text = findSettingText(key))
        return QCoreApplication::translate("ntk", text->name);
    return QString(key).replace('_', ' '); // width, depth, epochs, noise, seed, ...: already plain words
}

QString settingSymbol(const QString& key) {
    if (const SettingText* text = findSettingText(key))
        return QCoreApplication::translate("ntk", text->symbol);
    return QString(key).replace('_', ' ');
}

QString displayRunLabel(const QString& label) {
    // Labels of grid scenes read "key = value" or "key = value, key = value" (scene.cpp).
    QStringList parts = label.split(QStringLiteral(", "));
    for (QString& part : parts) {
        const qsizetype equals = part.indexOf(QStringLiteral(" = "));
        if (equals > 0)
            part = settingSymbol(part.left(equals)) + part.mid(equals);
    }
    return parts.join(QStringLiteral(", "));
}

void useIntegerTicks(QCPAxis* axis) {
    // A fixed step of 1 in "multiples" mode: the ticker picks a readable multiple of one epoch.
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    ticker->setTickCount(axis->ticker()->tickCount());
    axis->setTicker(ticker);
}

QString theoryMissingNote(const RunHistory& history) {
    if (!history.hasRun() || history.info().config.ntkEvery <= 0)
        return QObject::tr("needs the NTK at epoch 0 (NTK every K > 0)");
    if (history.info().trainSize > Trainer::maxTheoryPoints)
        return QObject::tr("not tracked above n = %1 (needs every eigenvector)")
            .arg(Trainer::maxTheoryPoints);
    return QObject::tr("computing the initial kernel's eigenvectors…");
}

} // namespace ntk
