#include "plot_helpers.h"

#include <QLocale>

#include "ntk_plot.h"
#include "plot_style.h"

#include <QCoreApplication>
#include <algorithm>
#include <cmath>
#include <limits>

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

// Log ticks that never run together: decades only (every second or third one when there are more decades
// than the axis' tick count), and 1-2-5 steps written as plain numbers ("200", not "2·10²") when the
// range holds fewer than two decades. QCPAxisTickerLog falls back to linear ticks in "eb" notation there.
class SparseLogTicker : public QCPAxisTickerLog {
protected:
    QVector<double> createTickVector(double, const QCPRange& range) override {
        QVector<double> ticks;
        if (!(range.lower > 0.0) || !(range.upper > range.lower))
            return ticks;
        const int lowDecade = int(std::ceil(std::log10(range.lower) - 1e-9));
        const int highDecade = int(std::floor(std::log10(range.upper) + 1e-9));
        const int decades = highDecade - lowDecade + 1;
        decadeStep_ = 0;
        if (decades >= 2) {
            decadeStep_ = std::max(1, int(std::ceil(double(decades) / std::max(2, tickCount()))));
            for (int k = lowDecade; k <= highDecade; k += decadeStep_)
                ticks << std::pow(10.0, k);
            return ticks;
        }
        // Under two decades: 1, 2 and 5 times each power of ten inside the range, then fewer if crowded.
        for (int k = lowDecade - 1; k <= highDecade; ++k)
            for (double mantissa : {1.0, 2.0, 5.0})
                if (const double t = mantissa * std::pow(10.0, k); range.contains(t))
                    ticks << t;
        while (ticks.size() > 3) {
            QVector<double> every2nd;
            for (qsizetype i = 0; i < ticks.size(); i += 2)
                every2nd << ticks[i];
            ticks = every2nd;
        }
        return ticks;
    }
    QVector<double> createSubTickVector(int, const QVector<double>& ticks) override {
        // 2·10^k … 9·10^k between neighbouring decades; none between thinned or 1-2-5 ticks.
        QVector<double> subTicks;
        if (decadeStep_ != 1)
            return subTicks;
        for (qsizetype i = 0; i + 1 < ticks.size(); ++i)
            for (int m = 2; m <= 9; ++m)
                subTicks << ticks[i] * m;
        return subTicks;
    }
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override {
        const double exponent = std::log10(tick);
        if (std::abs(exponent - std::round(exponent)) < 1e-9)
            return QCPAxisTickerLog::getTickLabel(tick, locale, formatChar, precision); // 10^k
        return locale.toString(tick, 'g', 3);
    }

private:
    int decadeStep_ = 0;
};

// The row of the plot layout that holds the axes rect (the title and a note sit above it, the legend below).
int axisRectRow(QCustomPlot* plot) {
    QCPLayoutGrid* layout = plot->plotLayout();
    for (int row = 0; row < layout->rowCount(); ++row)
        if (layout->element(row, 0) == plot->axisRect())
            return row;
    return layout->rowCount() - 1;
}

} // namespace

void useSparseLogTicks(QCPAxis* axis) {
    auto ticker = QSharedPointer<SparseLogTicker>::create();
    ticker->setLogBase(10);
    ticker->setTickCount(axis->ticker()->tickCount());
    axis->setTicker(ticker);
    axis->setNumberFormat("eb"); // 10^k rendered as a power
    axis->setNumberPrecision(0);
}

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

bool setEpochSeries(QCPGraph* graph, const std::vector<EpochReport>& reports,
                    const std::function<std::optional<double>(const EpochReport&)>& value, bool log,
                    double markerSize) {
    QVector<double> keys, values;
    keys.reserve(qsizetype(reports.size()));
    values.reserve(qsizetype(reports.size()));
    for (const EpochReport& r : reports)
        if (const std::optional<double> v = value(r)) {
            keys << r.epoch;
            values << *v;
        }
    filterForAxis(keys, values, log);
    graph->setData(keys, values, true);
    graph->setScatterStyle(keys.size() <= 2 ? QCPScatterStyle(QCPScatterStyle::ssDisc, markerSize)
                                            : QCPScatterStyle(QCPScatterStyle::ssNone));
    return !keys.isEmpty();
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
    plot->plotLayout()->addElement(axisRectRow(plot), 1, scale);
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

void placeLegendBelow(QCustomPlot* plot) {
    QCPLayoutGrid* layout = plot->plotLayout();
    if (plot->legend->layout() == layout)
        return; // already below
    plot->axisRect()->insetLayout()->take(plot->legend);
    // The row right under the axes rect, so a colour bar beside the axes (column 1) keeps its row.
    const int row = axisRectRow(plot) + 1;
    layout->insertRow(row);
    layout->addElement(row, 0, plot->legend);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst, true);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setMargins(QMargins(4, 0, 4, 2));
    layout->setRowStretchFactor(row, 0.001);
    // A grid column is no wider than the smallest maximum width in it, and an empty legend's (its margins,
    // as in a plot whose lines all leave the legend) would squeeze the axes above it into a strip at the
    // left. An explicit maximum stands in for that size hint whatever the legend holds (a million pixels:
    // QCustomPlot adds the margins to it and falls back to the hint at QWIDGETSIZE_MAX).
    plot->legend->setMaximumSize(1 << 20, QWIDGETSIZE_MAX);
}

bool fitLegendColumns(QCustomPlot* plot) {
    QCPLegend* legend = plot->legend;
    int widest = 0, tallest = 0, entries = 0;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (const QCPAbstractLegendItem* item = legend->item(i)) { // cells of a wrapped grid can be empty
            widest = std::max(widest, item->minimumOuterSizeHint().width());
            tallest = std::max(tallest, item->minimumOuterSizeHint().height());
            ++entries;
        }
    if (widest <= 0)
        return false;
    bool changed = false;
    const int spacing = legend->columnSpacing();
    const int available = plot->viewport().width() - legend->margins().left() - legend->margins().right();
    const int columns = std::clamp((available + spacing) / (widest + spacing), 1, entries);
    if (legend->wrap() != columns) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLegend::foColumnsFirst, true); // re-lays the entries out in `columns`
        changed = true;
    }
    // A legend taller than a third of the plot would squeeze the data to a strip, and an entry wider than
    // the plot would be cut at its edge: it steps aside until the plot is large enough again (a scene's runs
    // keep their colours on the strip plot's labelled columns).
    const int rows = (entries + columns - 1) / columns;
    const int rowHeight = tallest + legend->rowSpacing();
    const bool fits = rows * rowHeight + legend->margins().top() + legend->margins().bottom() <=
                          plot->viewport().height() / 3 &&
                      widest <= available;
    const char* hiddenForSpace = "ntkvizHiddenForSpace";
    if (!fits && legend->visible()) {
        legend->setVisible(false);
        legend->setProperty(hiddenForSpace, true);
        changed = true;
    } else if (fits && legend->property(hiddenForSpace).toBool()) {
        legend->setVisible(true);
        legend->setProperty(hiddenForSpace, false);
        changed = true;
    }
    // QCustomPlot's layout grid keeps the room of an element it does not draw: a hidden legend of twenty
    // entries would still take the rows under the axes and leave the data a strip above an empty space.
    // A minimum size of a pixel stands in for its size hint while it is hidden.
    const QSize minimum = legend->visible() ? QSize(0, 0) : QSize(1, 1);
    if (legend->minimumSize() != minimum) {
        legend->setMinimumSize(minimum);
        changed = true;
    }
    return changed;
}

namespace {

// `label` broken at spaces (and at its own line breaks) into lines no wider than `room`, at most
// `maxLines` of them; empty when a word is wider than `room` or more lines would be needed.
QStringList wrappedLines(const QString& label, const QFontMetricsF& metrics, double room, int maxLines) {
    QStringList lines;
    for (const QString& given : label.split('\n')) {
        QString line;
        for (const QString& word : given.split(' ', Qt::SkipEmptyParts)) {
            const QString longer = line.isEmpty() ? word : line + ' ' + word;
            if (metrics.horizontalAdvance(longer) <= room)
                line = longer;
            else if (line.isEmpty() || metrics.horizontalAdvance(word) > room)
                return {};
            else {
                lines << line;
                line = word;
            }
        }
        lines << line;
    }
    return lines.size() <= maxLines ? lines : QStringList{};
}

// The width between neighbouring category ticks, in pixels of the last layout (before the first one, most
// of the widget).
double categorySlot(QCustomPlot* plot, const QList<double>& keys) {
    QCPAxis* axis = plot->xAxis;
    double closest = axis->range().size();
    for (qsizetype i = 1; i < keys.size(); ++i)
        closest = std::min(closest, keys[i] - keys[i - 1]);
    const double axisWidth =
        plot->axisRect()->width() > 0 ? plot->axisRect()->width() : 0.8 * plot->viewport().width();
    return closest * axisWidth / axis->range().size();
}

// The category labels as drawn with `metrics` between ticks `slot` pixels apart: every label on up to three
// lines within its slot; if some word is wider than that, every second label (then every third, ...) in a
// slot as many times wider, the others left blank. Turned labels would take the height the data need.
// `every` is set to the step of the labels shown (past the label count when not even one fits whole).
QStringList shownCategoryLabels(const QStringList& full, const QFontMetricsF& metrics, double slot,
                                qsizetype& every) {
    const double gap = 2.0 * metrics.averageCharWidth(); // neighbours must read as separate labels
    const qsizetype count = std::max<qsizetype>(1, full.size());
    QStringList shown = full;
    for (every = 1; every <= count; ++every) {
        const double room = every * slot - gap;
        bool fits = true;
        for (qsizetype i = 0; i < full.size() && fits; ++i) {
            if (i % every != 0) {
                shown[i].clear();
                continue;
            }
            const QStringList lines = wrappedLines(full[i], metrics, room, 3);
            fits = !lines.isEmpty();
            shown[i] = lines.join('\n');
        }
        if (fits)
            return shown;
    }
    // Not even one label fits whole: the first cut, the others blank.
    for (qsizetype i = 0; i < full.size(); ++i)
        shown[i] = i == 0
                       ? metrics.elidedText(full[i].split('\n').join(' '), Qt::ElideRight, count * slot - gap)
                       : QString();
    return shown;
}

} // namespace

bool categoryLabelsShowMoreIn(QCustomPlot* plot, const QFont& font) {
    QCPAxis* axis = plot->xAxis;
    const auto ticker = qSharedPointerDynamicCast<QCPAxisTickerText>(axis->ticker());
    if (!ticker || ticker->ticks().isEmpty() || !(axis->range().size() > 0))
        return false;
    const QStringList full = axis->property("ntkvizCategoryFull").toStringList();
    if (ticker->ticks().values() != axis->property("ntkvizCategoryShown").toStringList() ||
        full.size() != ticker->ticks().size())
        return false; // not fitted yet
    const double slot = categorySlot(plot, ticker->ticks().keys());
    qsizetype now = 0, then = 0;
    shownCategoryLabels(full, QFontMetricsF(axis->tickLabelFont()), slot, now);
    shownCategoryLabels(full, QFontMetricsF(font), slot, then);
    return then < now;
}

bool fitCategoryLabels(QCustomPlot* plot) {
    QCPAxis* axis = plot->xAxis;
    const auto ticker = qSharedPointerDynamicCast<QCPAxisTickerText>(axis->ticker());
    if (!ticker || ticker->ticks().isEmpty() || !(axis->range().size() > 0))
        return false;
    const QList<double> keys = ticker->ticks().keys(); // sorted
    const QStringList current = ticker->ticks().values();
    // The labels as the plot set them; the ticker holds them as last fitted (wrapped, some left blank).
    QStringList full = axis->property("ntkvizCategoryFull").toStringList();
    if (current != axis->property("ntkvizCategoryShown").toStringList() || full.size() != current.size())
        full = current;
    qsizetype every = 0;
    const QStringList shown =
        shownCategoryLabels(full, QFontMetricsF(axis->tickLabelFont()), categorySlot(plot, keys), every);
    axis->setProperty("ntkvizCategoryFull", full);
    axis->setProperty("ntkvizCategoryShown", shown);
    bool changed = false;
    if (axis->tickLabelRotation() != 0) {
        axis->setTickLabelRotation(0);
        changed = true;
    }
    if (shown != current) {
        QMap<double, QString> ticks;
        for (qsizetype i = 0; i < keys.size(); ++i)
            ticks.insert(keys[i], shown[i]);
        ticker->setTicks(ticks);
        changed = true;
    }
    return changed;
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
    if (QString text =
            kernelNotFormedText(history, QObject::tr("this needs every eigenvector of the initial kernel"));
        !text.isEmpty())
        return text;
    if (history.info().trainSize > Trainer::maxTheoryPoints)
        return QObject::tr("not tracked above n = %1 (needs every eigenvector)")
            .arg(Trainer::maxTheoryPoints);
    return QObject::tr("computing the initial kernel's eigenvectors…");
}

QString kernelNotFormedText(const RunHistory& history, const QString& why) {
    const EpochReport* solved = history.hasRun() ? history.latestWithKernel() : nullptr;
    if (!solved || !solved->matrixFree)
        return {};
    return QObject::tr("n = %1: the kernel is solved as an operator, never formed;\n%2")
        .arg(QLocale().toString(history.info().trainSize), why);
}

} // namespace ntk
