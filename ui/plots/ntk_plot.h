#pragma once
// The base of every plot: a QCustomPlot with a title, zoom and pan, a value tooltip on hover, a context
// menu (export PNG/PDF, linear/log, reset view) and a redraw that follows the data until the user really
// zooms (wheel) or pans (a drag beyond the drag distance). A held view says so under the plot, and a
// double-click, a click on that note or "Reset view" makes it follow the data again.
#include "plot_style.h"

#include <optional>
#include <qcustomplot.h>

namespace ntk {

class NtkPlot : public QCustomPlot {
    Q_OBJECT
public:
    NtkPlot(const QString& fileName, const QString& title, QWidget* parent = nullptr);

    // Base name of exported files, e.g. "spectrum".
    QString fileName() const { return fileName_; }
    QString title() const { return titleText_; }
    // The title's whole text, e.g. "NTK eigenvalues, epoch 82" (drawnTitle() may break or elide it to fit).
    QString shownTitle() const { return fullTitle_; }
    QString note() const; // the small line under the title, empty when there is none
    // The title and note as drawn at the last layout: broken into lines or elided to fit the plot's width.
    const QCPTextElement* titleElement() const { return title_; }
    const QCPTextElement* noteElement() const { return note_; }
    // Every axis that shows tick labels, colour bars included.
    QList<QCPAxis*> labelledAxes() const;
    // The label the plot gave `axis`, as it was before the last layout broke it into lines or elided it.
    QString fullAxisLabel(const QCPAxis* axis) const;

    // Rebuilds from the plot's data source and queues a replot.
    void redraw();
    virtual void applyStyle(const PlotStyle& style);

    // Whether the plot draws any data: a plot with nothing to show is not exported as an empty image.
    bool hasContent() const;
    // Why there is nothing to draw, for the message that names a skipped export.
    virtual QString nothingToDrawReason() const;
    const PlotStyle& style() const { return style_; }
    // The scale the plot's text is drawn at: style().scale, or less (down to the normal size) where the
    // plot is too small for text that large to leave room for its data (presentation mode on a small
    // screen, a panel of a crowded page).
    double textScale() const { return textScale_; }

    bool logScale() const { return logScale_; }
    void setLogScale(bool log);
    void resetView();
    // True once the user zoomed or panned: the axes no longer follow new data until resetView().
    bool viewHeld() const { return userMovedView_; }
    // The line shown under a held view ("view held — …"), empty while the view follows the data.
    QString heldViewNote() const;

    // A message centred in an otherwise empty plot (e.g. "preparing data…") while there is nothing of the
    // current run to draw: data, legend, axes and any epoch in the title are hidden, and redraws keep the
    // plot empty until the text is cleared with an empty string; the owner then redraws it with new data.
    void setWaitingText(const QString& text);
    QString waitingText() const { return waitingText_; }

    // Both write atomically and return an error naming the file, or nullopt.
    std::optional<QString> exportPng(const QString& path, int width, int height, double scale);
    std::optional<QString> exportPdf(const QString& path, int width, int height);

signals:
    void exportRequested(ntk::NtkPlot* plot);
    // "Export animation…": the plot over a run's epochs, for plots that follow a run (see LivePlot).
    void animationExportRequested(ntk::NtkPlot* plot);

protected:
    virtual bool hasData() const = 0;
    virtual void rebuild() = 0;
    // Text for the hover tooltip at a pixel position; the default finds the nearest graph point.
    virtual QString hoverText(const QPoint& pixel) const;
    virtual bool supportsLogScale() const { return true; }
    virtual bool supportsAnimationExport() const { return false; }
    void setTitleText(const QString& text);
    // For a plot that changes what it shows: the title it returns to (title()) and shows now.
    void setBaseTitle(const QString& text);
    void setNote(const QString& text); // a small line under the title, e.g. "3 eigenvalues <= 0 not shown"
    // rebuild(), marking a waiting text it sets as the plot's own (see setWaitingText).
    void rebuildNow();
    // Removes every item a rebuild added (lines, labels), keeping the plot's own waiting text.
    void removeDataItems();
    void configureValueAxis(QCPAxis* axis, bool log);
    // Picks the scale from the data, until someone chooses one with setLogScale().
    void suggestLogScale(bool log) {
        if (!scaleChosen_)
            logScale_ = log;
    }
    bool followsData() const { return !userMovedView_; }

    void contextMenuEvent(QContextMenuEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void applyFonts(const PlotStyle& style);
    void holdView();
    void showHeldNote(bool show);
    // Layers that carry the plot's data and axes: hidden while a waiting text stands in for them.
    QList<QCPLayer*> contentLayers() const;
    // After each layout (on screen and for exports at any size): titles broken or elided to the width,
    // tick counts from the axis lengths and the tick labels' size, then laid out again when that changed.
    void fitToSpace();
    void fitAtThisTextSize();
    // Fonts of every text the plot draws at `scale` (titles, notes, axes, colour bars, legend, text items);
    // true when that changed them.
    bool applyTextScale(double scale);
    // The data area is too small beside its text: an axes rect under three tick-label lines high or four
    // labels wide, a legend that stepped aside for lack of room, or an axis label elided to fit.
    bool crampedByText() const;
    bool fitText(QCPTextElement* element, const QString& full, int maxLines = 2);
    bool fitAxisLabels();
    bool tickCountsFromLength();
    bool thinOverlappingTicks();
    // A label at an end of a horizontal axis that would cross the widget's edge is not drawn at all by
    // QCustomPlot: the axes rect moves in from that edge until it fits. True when it moved.
    bool keepEndTickLabelsInside();

    QString fileName_;
    QString titleText_;
    QString fullTitle_;
    QString fullNote_;
    bool fitting_ = false;
    struct AxisLabel {
        QString full;  // as the plot set it
        QString shown; // elided to the axis' length
    };
    QHash<const QCPAxis*, AxisLabel> axisLabels_;
    QCPTextElement* title_ = nullptr;
    QCPTextElement* note_ = nullptr;
    QCPTextElement* heldNote_ = nullptr; // under the axes while the view is held
    QCPTextElement* waitingLabel_ = nullptr;
    QString waitingText_;
    std::optional<QPoint> pressedAt_; // left button down here, not yet dragged beyond the drag distance
    PlotStyle style_;
    double textScale_ = 1.0;
    bool logScale_ = false;
    bool scaleChosen_ = false;
    bool userMovedView_ = false;
    bool rebuilding_ = false, waitingFromRebuild_ = false;
};

// Keeps finite, and for log axes positive, points only; returns how many were dropped.
int filterForAxis(QVector<double>& keys, QVector<double>& values, bool log);

} // namespace ntk
