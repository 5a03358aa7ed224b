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
#include <cmath>

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

NtkPlot::NtkPlot(const QString& fileName, const QString& title, QWidget* parent)
    : QCustomPlot(parent)
    , fileName_(fileName)
    , titleText_(title) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setNoAntialiasingOnDrag(true);
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, title);
    plotLayout()->addElement(0, 0, title_);
    note_ = new QCPTextElement(this, QString());
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
    applyFonts(style_); // not applyStyle: it redraws, which needs the derived class
}

QString NtkPlot::shownTitle() const {
    return title_->text();
}

void NtkPlot::removeDataItems() {
    clearItems(); // the waiting text is a layout element, not an item: it stays
}

QString NtkPlot::note() const {
    return note_->visible() ? note_->text() : QString();
}

QString NtkPlot::heldViewNote() const {
    return heldNote_->visible() ? heldNote_->text() : QString();
}

void NtkPlot::redraw() {
    if (hasData() && waitingText_.isEmpty())
        rebuild();
    replot(rpQueuedReplot);
}

void NtkPlot::applyStyle(const PlotStyle& style) {
    applyFonts(style);
    redraw();
}

void NtkPlot::applyFonts(const PlotStyle& style) {
    style_ = style;
    title_->setFont(style.titleFont());
    note_->setFont(style.legendFont());
    heldNote_->setFont(style.legendFont());
    waitingLabel_->setFont(style.labelFont());
    for (QCPAxisRect* rect : axisRects())
        for (QCPAxis* axis : rect->axes()) {
            axis->setTickLabelFont(style.tickFont());
            axis->setLabelFont(style.labelFont());
            axis->setBasePen(QPen(Qt::black, style.scale));
            axis->setTickPen(QPen(Qt::black, style.scale));
            axis->setSubTickPen(QPen(Qt::black, style.scale));
        }
    legend->setFont(style.legendFont());
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
    if (title_->text() != text)
        title_->setText(text);
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
    note_->setText(text);
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
