#include "ntk_plot.h"

#include "atomic_write.h"

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
    // Legends sit inside the plot: let the curves show through them.
    legend->setBrush(QColor(255, 255, 255, 200));
    legend->setBorderPen(QPen(QColor(180, 180, 180)));
    // The user took over the view: stop rescaling to the data until "Reset view".
    connect(this, &QCustomPlot::mouseWheel, this, [this] { userMovedView_ = true; });
    connect(this, &QCustomPlot::mousePress, this, [this] { userMovedView_ = true; });
    setMouseTracking(true);
    // Few, well-spaced ticks: plots are often a third of a projector wide.
    xAxis->ticker()->setTickCount(5);
    yAxis->ticker()->setTickCount(5);
    applyFonts(style_); // not applyStyle: it redraws, which needs the derived class
}

QString NtkPlot::shownTitle() const {
    return title_->text();
}

QString NtkPlot::note() const {
    return note_->visible() ? note_->text() : QString();
}

void NtkPlot::redraw() {
    if (hasData())
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
    redraw();
}

void NtkPlot::resetView() {
    userMovedView_ = false;
    redraw();
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
        auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
        ticker->setLogBase(10);
        ticker->setSubTickCount(8);
        axis->setTicker(ticker);
        axis->setNumberFormat("eb"); // 10^k rendered as a power
        axis->setNumberPrecision(0);
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

void NtkPlot::mouseMoveEvent(QMouseEvent* event) {
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
