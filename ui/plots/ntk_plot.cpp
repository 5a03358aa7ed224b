#include "ntk_plot.h"

#include "atomic_write.h"
#include "plot_helpers.h"

#include <QApplication>
#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QTemporaryFile>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <functional>

namespace ntk {

int filterForAxis(QVector<double>& keys, QVector<double>& values, bool log) {
    QVector<double> keptKeys, keptValues;
    keptKeys.reserve(keys.size());
    keptValues.reserve(values.size());
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const double v = values[i];
        if (std::isfinite(keys[i]) && std::isfinite(v) && (!log || v > 0.0)) {
            keptKeys << keys[i];
            keptValues << v;
        }
    }
    const int dropped = int(keys.size() - keptKeys.size());
    keys = std::move(keptKeys);
    values = std::move(keptValues);
    return dropped;
}

namespace {

// `text` as at most `maxLines` lines (two or more) no wider than `room`: whole when it fits, else (on two
// lines) broken after a comma (the title's epoch goes to the second line), else at the last space that fits
// on each line, with whatever is still too wide for the last line elided. Never wider than `room`, so it is
// never clipped at the widget's edges.
QString fittedLines(const QString& text, const QFontMetricsF& metrics, double room, int maxLines = 2) {
    room = std::max(room, metrics.horizontalAdvance(QStringLiteral("…")));
    auto fits = [&](const QString& line) { return metrics.horizontalAdvance(line) <= room; };
    if (fits(text))
        return text;
    for (qsizetype comma = text.lastIndexOf(", "); maxLines == 2 && comma > 0;
         comma = text.lastIndexOf(", ", comma - 1)) {
        const QString first = text.left(comma + 1), second = text.mid(comma + 2);
        if (fits(first) && fits(second))
            return first + '\n' + second;
    }
    QStringList lines;
    QString rest = text;
    while (int(lines.size()) < maxLines - 1 && !fits(rest)) {
        qsizetype space = rest.lastIndexOf(' ');
        while (space > 0 && !fits(rest.left(space)))
            space = rest.lastIndexOf(' ', space - 1);
        if (space <= 0)
            break;
        lines << rest.left(space);
        rest = rest.mid(space + 1);
    }
    lines << metrics.elidedText(rest, Qt::ElideRight, room);
    return lines.join('\n');
}

// A tick label's extent: several lines for category labels broken with '\n'.
QSizeF labelSize(const QFontMetricsF& metrics, const QString& text) {
    return metrics.boundingRect(QRectF(0, 0, 1e6, 1e6), Qt::AlignLeft, text).size();
}

bool tickLabelsOverlap(const QCPAxis* axis) {
    const QVector<double> ticks = axis->tickVector();
    const QVector<QString> labels = axis->tickVectorLabels();
    const QFontMetricsF metrics(axis->tickLabelFont());
    const bool horizontal = axis->orientation() == Qt::Horizontal;
    std::vector<std::pair<double, double>> spans;
    for (qsizetype i = 0; i < std::min(ticks.size(), labels.size()); ++i) {
        if (labels[i].isEmpty())
            continue; // a category left unlabelled for room (fitCategoryLabels) draws nothing
        const QSizeF size = labelSize(metrics, labels[i]);
        const double centre = axis->coordToPixel(ticks[i]);
        const double half = (horizontal ? size.width() : size.height()) / 2.0;
        spans.emplace_back(centre - half, centre + half);
    }
    std::sort(spans.begin(), spans.end());
    // Side by side, labels need a space between them to read as separate numbers.
    const double gap = horizontal ? metrics.horizontalAdvance(QStringLiteral("  ")) : 0.0;
    for (std::size_t i = 1; i < spans.size(); ++i)
        if (spans[i].first < spans[i - 1].second + gap)
            return true;
    return false;
}

} // namespace

NtkPlot::NtkPlot(const QString& fileName, const QString& title, QWidget* parent)
    : QCustomPlot(parent)
    , fileName_(fileName)
    , titleText_(title) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setNoAntialiasingOnDrag(true);
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, title);
    plotLayout()->addElement(0, 0, title_);
    // No minimum width from the text: the title is broken or elided to the plot's width (fitToSpace), and
    // a long title must not widen its layout column past the widget.
    title_->setMinimumSize(1, 0);
    fullTitle_ = title;
    note_ = new QCPTextElement(this, QString());
    note_->setMinimumSize(1, 0);
    note_->setTextColor(QColor(120, 120, 120));
    note_->setVisible(false);
    setMinimumSize(260, 200);
    // One legend policy for every plot: under the axes rect, as many columns as fit (plot_helpers.h).
    placeLegendBelow(this);
    connect(this, &QCustomPlot::beforeReplot, this, [this] {
        fitLegendColumns(this);
        fitCategoryLabels(this);
    });
    // Titles, notes and the waiting text get a layer of their own, above the data, so that hiding the data
    // while waiting for a run keeps them. Data drawn under the grid (the prediction plot's regions) go on
    // "underlay", not "background": the axis rect lives on "background" and must stay visible to hold the
    // waiting text.
    addLayer("titles", layer("overlay"), limAbove);
    addLayer("underlay", layer("background"), limAbove);
    // A layerable is drawn only if its parents are, so the layouts (which draw nothing themselves) move to
    // "titles" too.
    for (QCPLayerable* element :
         std::initializer_list<QCPLayerable*>{plotLayout(), axisRect()->insetLayout(), title_, note_})
        element->setLayer("titles");
    // A zoom with the wheel takes over the view; a drag does in mouseMoveEvent, once it is a real one.
    connect(this, &QCustomPlot::mouseWheel, this, &NtkPlot::holdView);
    connect(this, &QCustomPlot::mouseDoubleClick, this, &NtkPlot::resetView);
    heldNote_ = new QCPTextElement(this, tr("view held — double-click to follow the data"));
    heldNote_->setLayer("titles");
    heldNote_->setTextColor(QColor(40, 90, 160));
    heldNote_->setVisible(false);
    connect(heldNote_, &QCPTextElement::clicked, this, &NtkPlot::resetView);
    // Centred in the axes while waiting (a layout element, not an item: scene plots clear their items).
    waitingLabel_ = new QCPTextElement(this, QString());
    waitingLabel_->setLayer("titles");
    waitingLabel_->setTextColor(QColor(90, 90, 90));
    waitingLabel_->setVisible(false);
    setMouseTracking(true);
    // Few, well-spaced ticks: plots are often a third of a projector wide.
    xAxis->ticker()->setTickCount(5);
    yAxis->ticker()->setTickCount(5);
    connect(this, &QCustomPlot::afterLayout, this, &NtkPlot::fitToSpace);
    applyFonts(style_); // not applyStyle: it redraws, which needs the derived class
}

QList<QCPAxis*> NtkPlot::labelledAxes() const {
    QList<QCPAxis*> axes;
    for (QCPAxisRect* rect : axisRects())
        for (QCPAxis* axis : rect->axes())
            if (axis->visible() && axis->tickLabels())
                axes << axis;
    for (QCPLayoutElement* element : plotLayout()->elements(true))
        if (auto* scale = qobject_cast<QCPColorScale*>(element); scale && scale->visible())
            axes << scale->axis();
    return axes;
}

QString NtkPlot::fullAxisLabel(const QCPAxis* axis) const {
    const auto label = axisLabels_.constFind(axis);
    return label != axisLabels_.constEnd() && axis->label() == label->shown ? label->full : axis->label();
}

void NtkPlot::fitToSpace() {
    if (fitting_)
        return; // the layouts below emit afterLayout again
    fitting_ = true;
    // Text as large as the style asks for, unless the data would be left a strip: then smaller, a step at a
    // time, but never below the normal size. Starting from the style's size each time makes the result
    // depend on the size alone (the window and a headless export of that size give the same figure).
    const double smallest = std::min(1.0, style_.scale);
    // Axis labels start whole, and margins from nothing: a label broken for a smaller size would otherwise
    // leave the margins of that size (the window's export would differ from a headless one of that size).
    bool restored = applyTextScale(style_.scale);
    // A margin group (a colour bar beside its map) takes the largest margin of its members, and a member
    // without axes of its own (the colour bar's outer element) reports its current margin: once grown, the
    // group's margin never shrinks. Cleared here, margins follow from this size alone.
    for (QCPLayoutElement* element : plotLayout()->elements(true))
        if (element && !element->marginGroups().isEmpty() && !element->margins().isNull()) {
            element->setMargins(QMargins());
            restored = true;
        }
    // And the room kept for end tick labels, which depends on the size too.
    const char* ownMinimumMargins = "ntkvizOwnMinimumMargins";
    for (QCPAxisRect* rect : axisRects()) {
        if (!rect->property(ownMinimumMargins).isValid())
            rect->setProperty(ownMinimumMargins, QVariant::fromValue(rect->minimumMargins()));
        if (const auto own = rect->property(ownMinimumMargins).value<QMargins>();
            rect->minimumMargins() != own) {
            rect->setMinimumMargins(own);
            restored = true;
        }
    }
    for (QCPAxis* axis : labelledAxes())
        if (const auto label = axisLabels_.constFind(axis);
            label != axisLabels_.constEnd() && axis->label() == label->shown && label->shown != label->full) {
            axis->setLabel(label->full);
            restored = true;
        }
    if (restored)
        updateLayout();
    for (double scale = style_.scale;; scale = std::max(smallest, 0.9 * scale)) {
        if (scale != textScale_ && applyTextScale(scale))
            updateLayout();
        fitAtThisTextSize();
        if (scale <= smallest || !crampedByText())
            break;
    }
    fitting_ = false;
}

void NtkPlot::fitAtThisTextSize() {
    // Everything that follows from the size alone, until a layout changes nothing: the legend and category
    // labels (so an exported figure gets the legend its own size allows, not the one the plot had on
    // screen), titles and axis labels, and tick counts from the axes' lengths.
    for (int pass = 0; pass < 6; ++pass) {
        bool changed = fitLegendColumns(this);
        changed = fitCategoryLabels(this) || changed;
        changed = fitText(title_, fullTitle_) || changed;
        changed = fitText(note_, fullNote_) || changed;
        changed = fitText(waitingLabel_, waitingText_, 4) || changed; // over empty axes: room for lines
        changed = fitAxisLabels() || changed;
        changed = tickCountsFromLength() || changed;
        changed = keepEndTickLabelsInside() || changed;
        if (!changed)
            break;
        updateLayout();
    }
    // Then labels that still run together lose ticks, one at a time.
    for (int pass = 0; pass < 6 && thinOverlappingTicks(); ++pass)
        updateLayout();
}

namespace {

// Sets `font` at `ratio` times the size its owner last asked for. A font whose size is not the one this
// function last set was set anew by the plot (a rebuild, a style change): its size is then the full one.
void setShrunkFont(QObject* owner, QFont font, double ratio, const char* which,
                   const std::function<void(const QFont&)>& set) {
    const QByteArray fullKey = QByteArray("ntkvizFullPoints") + which;
    const QByteArray shownKey = QByteArray("ntkvizShownPoints") + which;
    double full = font.pointSizeF();
    const QVariant shown = owner->property(shownKey);
    if (shown.isValid() && std::abs(shown.toDouble() - full) < 1e-6)
        full = owner->property(fullKey).toDouble();
    font.setPointSizeF(full * ratio);
    owner->setProperty(fullKey, full);
    owner->setProperty(shownKey, font.pointSizeF());
    set(font);
}

} // namespace

bool NtkPlot::applyTextScale(double scale) {
    const bool changed = std::abs(scale - textScale_) > 1e-9;
    textScale_ = scale;
    PlotStyle text = style_;
    text.scale = scale;
    title_->setFont(text.titleFont());
    note_->setFont(text.legendFont());
    heldNote_->setFont(text.legendFont());
    waitingLabel_->setFont(text.labelFont());
    for (QCPAxisRect* rect : axisRects())
        for (QCPAxis* axis : rect->axes()) {
            axis->setTickLabelFont(text.tickFont());
            axis->setLabelFont(text.labelFont());
        }
    for (QCPAxis* axis : labelledAxes()) { // colour bars
        axis->setTickLabelFont(text.tickFont());
        axis->setLabelFont(text.labelFont());
    }
    legend->setFont(text.legendFont());
    // Text a plot adds of its own (captions in the axes, per-panel titles) keeps its size relative to the
    // style's.
    const double ratio = style_.scale > 0 ? scale / style_.scale : 1.0;
    for (QCPLayoutElement* element : plotLayout()->elements(true))
        if (auto* extra = qobject_cast<QCPTextElement*>(element);
            extra && extra != title_ && extra != note_ && extra != heldNote_ && extra != waitingLabel_)
            setShrunkFont(extra, extra->font(), ratio, "", [extra](const QFont& f) { extra->setFont(f); });
    for (int i = 0; i < itemCount(); ++i)
        if (auto* label = qobject_cast<QCPItemText*>(item(i)))
            setShrunkFont(label, label->font(), ratio, "", [label](const QFont& f) { label->setFont(f); });
    return changed;
}

bool NtkPlot::crampedByText() const {
    if (legend->property("ntkvizHiddenForSpace").toBool())
        return true;
    // An axis label that does not fit its axis even on two lines ("eigenval…") reads in full with smaller
    // text sooner than with fewer words.
    for (QCPAxis* axis : labelledAxes())
        if (!axis->label().isEmpty() && QString(axis->label()).replace('\n', ' ') != fullAxisLabel(axis))
            return true;
    // Runs left unnamed on a category axis, more of which smaller text would name.
    PlotStyle smallest = style_;
    smallest.scale = std::min(1.0, style_.scale);
    auto* self = const_cast<NtkPlot*>(this); // QCustomPlot's accessors are not const; nothing changes here
    if (textScale_ > smallest.scale && categoryLabelsShowMoreIn(self, smallest.tickFont()))
        return true;
    const QFontMetricsF metrics(PlotStyle{textScale_}.tickFont());
    QSet<const QCPAxisRect*> colourBars; // narrow by design
    for (QCPLayoutElement* element : plotLayout()->elements(true))
        if (const auto* scale = qobject_cast<QCPColorScale*>(element))
            colourBars.insert(scale->axis()->axisRect());
    for (QCPAxisRect* rect : axisRects())
        if (rect->visible() && !colourBars.contains(rect) &&
            (rect->height() < 3.0 * metrics.height() ||
             rect->width() < 4.0 * metrics.horizontalAdvance(QStringLiteral("0000"))))
            return true;
    return false;
}

bool NtkPlot::fitText(QCPTextElement* element, const QString& full, int maxLines) {
    if (!element->visible() || full.isEmpty())
        return false;
    const QFontMetricsF metrics(element->font());
    // Centred on its layout cell, the text may use the widget's width on both sides of that centre.
    const QRect area = viewport();
    const double centre = element->outerRect().center().x();
    const double room =
        2.0 * std::min(centre - area.left(), area.right() - centre) - 2.0 * metrics.averageCharWidth();
    const QString fitted = fittedLines(full, metrics, room, maxLines);
    if (fitted == element->text())
        return false;
    element->setText(fitted);
    return true;
}

bool NtkPlot::fitAxisLabels() {
    bool changed = false;
    for (QCPAxis* axis : labelledAxes()) {
        AxisLabel& label = axisLabels_[axis];
        if (axis->label() != label.shown)
            label.full = axis->label(); // the plot set a new one since the last fit
        const bool horizontal = axis->orientation() == Qt::Horizontal;
        // Centred on the axis, the label may use its axes rect's cell (margins included) on both sides of
        // the axis' centre: not the rows above and below, which hold the title, its note and the legend.
        const QRect area = axis->axisRect()->outerRect();
        const QRect rect = axis->axisRect()->rect();
        const double room =
            horizontal ? 2.0 * std::min(rect.center().x() - area.left(), area.right() - rect.center().x())
                       : 2.0 * std::min(rect.center().y() - area.top(), area.bottom() - rect.center().y());
        // On two lines if need be (a vertical label widens its margin by a line, which the data can spare
        // better than the words), elided only beyond that.
        label.shown = fittedLines(label.full, QFontMetricsF(axis->labelFont()), room - 4.0);
        if (axis->label() != label.shown) {
            axis->setLabel(label.shown);
            changed = true;
        }
    }
    return changed;
}

bool NtkPlot::tickCountsFromLength() {
    bool changed = false;
    for (QCPAxis* axis : labelledAxes()) {
        const QFontMetricsF metrics(axis->tickLabelFont());
        const bool horizontal = axis->orientation() == Qt::Horizontal;
        // A four-digit label and a gap of about as much again: QCustomPlot rounds the step to 1, 2, 2.5 or
        // 5, which can give up to half again as many ticks as asked for. Wider labels are thinned by
        // thinOverlappingTicks; starting from the size alone makes the result the same whatever was drawn
        // before (the window and the headless export give the same figure).
        const double label =
            horizontal ? metrics.horizontalAdvance(QStringLiteral("0000")) : metrics.height();
        const double spacing = horizontal ? 1.5 * (label + 2.0 * metrics.averageCharWidth()) : 3.0 * label;
        const double length = horizontal ? axis->axisRect()->width() : axis->axisRect()->height();
        if (length <= spacing)
            continue; // not laid out yet (a colour bar's inner rect lags its first layout): next time
        const int count = std::clamp(int(length / spacing), 2, 5);
        // With room for few ticks, QCustomPlot's readable steps can leave a single labelled tick (a colour
        // bar from -0.06 to 0.06 gets only "0"): meet the count instead.
        const auto strategy = count <= 3 ? QCPAxisTicker::tssMeetTickCount : QCPAxisTicker::tssReadability;
        if (axis->ticker()->tickCount() != count || axis->ticker()->tickStepStrategy() != strategy) {
            axis->ticker()->setTickCount(count);
            axis->ticker()->setTickStepStrategy(strategy);
            changed = true;
        }
    }
    return changed;
}

bool NtkPlot::thinOverlappingTicks() {
    bool changed = false;
    for (QCPAxis* axis : labelledAxes()) {
        const bool horizontal = axis->orientation() == Qt::Horizontal;
        if ((horizontal ? axis->axisRect()->width() : axis->axisRect()->height()) <= 0)
            continue; // not laid out yet: nothing to measure
        const int shown = int(axis->tickVector().size());
        const int fewer = std::min(axis->ticker()->tickCount(), shown) - 1;
        if (fewer >= 1 && shown > 2 && tickLabelsOverlap(axis)) {
            axis->ticker()->setTickCount(fewer);
            changed = true;
        }
    }
    return changed;
}

bool NtkPlot::keepEndTickLabelsInside() {
    bool changed = false;
    const QRect area = viewport();
    for (QCPAxis* axis : labelledAxes()) {
        if (axis->orientation() != Qt::Horizontal || axis->tickLabelRotation() != 0)
            continue;
        const QFontMetricsF metrics(axis->tickLabelFont());
        const QVector<double> ticks = axis->tickVector();
        const QVector<QString> labels = axis->tickVectorLabels();
        double left = 0.0, right = 0.0; // how far labels reach past the widget's edges
        for (qsizetype i = 0; i < std::min(ticks.size(), labels.size()); ++i) {
            if (labels[i].isEmpty())
                continue;
            const double half = labelSize(metrics, labels[i]).width() / 2.0;
            const double centre = axis->coordToPixel(ticks[i]);
            left = std::max(left, area.left() - (centre - half));
            right = std::max(right, centre + half - (area.left() + area.width()));
        }
        QCPAxisRect* rect = axis->axisRect();
        QMargins minimum = rect->minimumMargins();
        if (left > 0.0)
            minimum.setLeft(std::max(minimum.left(), rect->margins().left() + int(std::ceil(left)) + 1));
        if (right > 0.0)
            minimum.setRight(std::max(minimum.right(), rect->margins().right() + int(std::ceil(right)) + 1));
        if (minimum != rect->minimumMargins()) {
            rect->setMinimumMargins(minimum);
            changed = true;
        }
    }
    return changed;
}

void NtkPlot::removeDataItems() {
    clearItems(); // the waiting text is a layout element, not an item: it stays
}

QString NtkPlot::note() const {
    return note_->visible() ? fullNote_ : QString();
}

bool NtkPlot::hasContent() const {
    // QCustomPlot's accessors are not const; nothing here changes the plot.
    auto* self = const_cast<NtkPlot*>(this);
    for (int i = 0; i < plottableCount(); ++i) {
        QCPAbstractPlottable* item = self->plottable(i);
        if (!item->visible())
            continue;
        if (const QCPPlottableInterface1D* data = item->interface1D()) {
            if (data->dataCount() > 0)
                return true;
        } else if (const auto* map = qobject_cast<const QCPColorMap*>(item)) {
            if (map->data()->keySize() > 0 && map->data()->valueSize() > 0)
                return true;
        }
    }
    return false;
}

QString NtkPlot::nothingToDrawReason() const {
    const QString why = note();
    return why.isEmpty() ? tr("nothing to draw for this run") : why;
}

QString NtkPlot::heldViewNote() const {
    return heldNote_->visible() ? heldNote_->text() : QString();
}

void NtkPlot::redraw() {
    if (hasData() && (waitingText_.isEmpty() || waitingFromRebuild_))
        rebuildNow();
    replot(rpQueuedReplot);
}

void NtkPlot::rebuildNow() {
    rebuilding_ = true;
    rebuild();
    rebuilding_ = false;
}

void NtkPlot::applyStyle(const PlotStyle& style) {
    applyFonts(style);
    redraw();
}

void NtkPlot::applyFonts(const PlotStyle& style) {
    style_ = style;
    applyTextScale(style.scale); // until the next layout says whether the plot has room for it
    for (QCPAxisRect* rect : axisRects())
        for (QCPAxis* axis : rect->axes()) {
            axis->setBasePen(QPen(Qt::black, style.scale));
            axis->setTickPen(QPen(Qt::black, style.scale));
            axis->setSubTickPen(QPen(Qt::black, style.scale));
        }
    for (int i = 0; i < graphCount(); ++i) {
        QPen pen = graph(i)->pen();
        pen.setWidthF(style.lineWidth() * (pen.style() == Qt::DashLine ? 0.75 : 1.0));
        graph(i)->setPen(pen);
    }
}

void NtkPlot::setLogScale(bool log) {
    logScale_ = log;
    scaleChosen_ = true;
    userMovedView_ = false;
    showHeldNote(false);
    redraw();
}

void NtkPlot::resetView() {
    userMovedView_ = false;
    showHeldNote(false);
    redraw();
}

void NtkPlot::holdView() {
    if (userMovedView_)
        return;
    userMovedView_ = true;
    showHeldNote(true);
    replot(rpQueuedReplot);
}

void NtkPlot::showHeldNote(bool show) {
    if (show == heldNote_->visible())
        return;
    if (show)
        plotLayout()->addElement(plotLayout()->rowCount(), 0, heldNote_);
    else {
        plotLayout()->take(heldNote_);
        plotLayout()->simplify();
    }
    heldNote_->setVisible(show);
}

QList<QCPLayer*> NtkPlot::contentLayers() const {
    QList<QCPLayer*> layers;
    for (const char* name : {"underlay", "grid", "main", "axes", "legend", "overlay"})
        if (QCPLayer* l = layer(QString::fromLatin1(name)))
            layers << l;
    return layers;
}

void NtkPlot::setWaitingText(const QString& text) {
    // A plot whose own data have nothing to draw yet (set while rebuilding) keeps redrawing, so it leaves
    // the text as soon as the data arrive; a text set from outside (a new run not yet reported) holds it.
    waitingFromRebuild_ = rebuilding_ && !text.isEmpty();
    if (text == waitingText_)
        return;
    const bool waiting = !text.isEmpty();
    waitingText_ = text;
    waitingLabel_->setText(text);
    if (waiting && !waitingLabel_->visible())
        axisRect()->insetLayout()->addElement(waitingLabel_, Qt::AlignCenter);
    else if (!waiting && waitingLabel_->visible())
        axisRect()->insetLayout()->take(waitingLabel_);
    waitingLabel_->setVisible(waiting);
    for (QCPLayer* l : contentLayers())
        l->setVisible(!waiting);
    if (waiting) {
        // Nothing of a replaced run stays on screen: not its epoch in the title nor its notes.
        setTitleText(titleText_);
        setNote({});
    }
    replot(rpQueuedReplot);
}

void NtkPlot::setTitleText(const QString& text) {
    // The element gets the fitted text at the next layout.
    if (fullTitle_ != text) {
        fullTitle_ = text;
        title_->setText(text);
    }
}

void NtkPlot::setBaseTitle(const QString& text) {
    titleText_ = text;
    setTitleText(text);
}

void NtkPlot::setNote(const QString& text) {
    const bool show = !text.isEmpty();
    if (show && !note_->visible()) {
        plotLayout()->insertRow(1);
        plotLayout()->addElement(1, 0, note_);
    } else if (!show && note_->visible()) {
        plotLayout()->take(note_);
        plotLayout()->simplify();
    }
    note_->setVisible(show);
    if (fullNote_ != text) {
        fullNote_ = text;
        note_->setText(text);
    }
}

void NtkPlot::configureValueAxis(QCPAxis* axis, bool log) {
    const bool isLog = axis->scaleType() == QCPAxis::stLogarithmic;
    if (log == isLog)
        return;
    if (log) {
        axis->setScaleType(QCPAxis::stLogarithmic);
        useSparseLogTicks(axis);
    } else {
        axis->setScaleType(QCPAxis::stLinear);
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->ticker()->setTickCount(5);
        axis->setNumberFormat("gb");
        axis->setNumberPrecision(6);
    }
}

QString NtkPlot::hoverText(const QPoint& pixel) const {
    double bestDistance = 12.0; // pixels
    QString text;
    for (int i = 0; i < graphCount(); ++i) {
        const QCPGraph* g = graph(i);
        if (!g->visible() || g->data()->isEmpty())
            continue;
        const double key = g->keyAxis()->pixelToCoord(pixel.x());
        auto it = g->data()->findBegin(key);
        for (int step = 0; step < 2 && it != g->data()->constEnd(); ++step, ++it) {
            const QPointF at(g->keyAxis()->coordToPixel(it->key), g->valueAxis()->coordToPixel(it->value));
            const double distance = std::hypot(at.x() - pixel.x(), at.y() - pixel.y());
            if (distance < bestDistance) {
                bestDistance = distance;
                text = QString("%1\n%2 = %3\n%4 = %5")
                           .arg(g->name(), g->keyAxis()->label().section(' ', 0, 0),
                                QString::number(it->key, 'g', 6), g->valueAxis()->label().section(' ', 0, 0),
                                QString::number(it->value, 'g', 6));
            }
        }
    }
    return text;
}

void NtkPlot::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton)
        pressedAt_ = event->pos();
    QCustomPlot::mousePressEvent(event);
}

void NtkPlot::mouseReleaseEvent(QMouseEvent* event) {
    const bool clickWithoutDrag = pressedAt_.has_value() && !userMovedView_;
    pressedAt_.reset();
    QCustomPlot::mouseReleaseEvent(event);
    // A click may have nudged the range by a pixel or two before it was known not to be a drag: the view
    // still follows the data, so it goes back to fitting them.
    if (clickWithoutDrag && event->button() == Qt::LeftButton)
        redraw();
}

void NtkPlot::mouseMoveEvent(QMouseEvent* event) {
    // Only a drag beyond the platform's drag distance is a pan; a click with a shaky hand is not.
    if (pressedAt_ && (event->buttons() & Qt::LeftButton) &&
        (event->pos() - *pressedAt_).manhattanLength() >= QApplication::startDragDistance())
        holdView();
    QCustomPlot::mouseMoveEvent(event);
    const QString text = hoverText(event->pos());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void NtkPlot::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    menu.addAction(tr("Export as PNG or PDF…"), this, [this] { emit exportRequested(this); });
    if (supportsAnimationExport())
        menu.addAction(tr("Export animation over the epochs (GIF or PNG frames)…"), this,
                       [this] { emit animationExportRequested(this); });
    if (supportsLogScale()) {
        QAction* log = menu.addAction(tr("Logarithmic scale"));
        log->setCheckable(true);
        log->setChecked(logScale_);
        connect(log, &QAction::toggled, this, &NtkPlot::setLogScale);
    }
    menu.addAction(tr("Reset view"), this, &NtkPlot::resetView);
    menu.exec(event->globalPos());
}

std::optional<QString> NtkPlot::exportPng(const QString& path, int width, int height, double scale) {
    // Rendered at the requested size whatever the widget's size on screen; written atomically.
    replot(rpImmediateRefresh);
    const QPixmap pixmap = toPixmap(width, height, scale);
    if (pixmap.isNull())
        return path + ": could not render the plot";
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!pixmap.toImage().save(&buffer, "PNG"))
        return path + ": PNG encoding failed";
    return writeFileAtomically(path, bytes);
}

std::optional<QString> NtkPlot::exportPdf(const QString& path, int width, int height) {
    // QCustomPlot writes PDFs by file name only: render into a temporary file beside the target, then
    // read it back and replace the target atomically.
    QTemporaryFile temporary(QFileInfo(path).absoluteDir().filePath("ntkviz-XXXXXX.pdf"));
    if (!temporary.open())
        return path + ": cannot write in " + QFileInfo(path).absolutePath();
    temporary.close();
    if (!savePdf(temporary.fileName(), width, height))
        return path + ": PDF rendering failed";
    QFile rendered(temporary.fileName());
    if (!rendered.open(QIODevice::ReadOnly))
        return path + ": " + rendered.errorString();
    return writeFileAtomically(path, rendered.readAll());
}

} // namespace ntk
