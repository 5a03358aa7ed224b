#pragma once
// The base of every plot: a QCustomPlot with a title, zoom and pan, a value tooltip on hover, a context
// menu (export PNG/PDF, linear/log, reset view) and a redraw that only follows the data until the user
// moves the view.
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

    // Rebuilds from the plot's data source and queues a replot.
    void redraw();
    virtual void applyStyle(const PlotStyle& style);

    // Whether the plot draws any data: a plot with nothing to show is not exported as an empty image.
    bool hasContent() const;
    // Why there is nothing to draw, for the message that names a skipped export.
    virtual QString nothingToDrawReason() const;
    const PlotStyle& style() const { return style_; }

    bool logScale() const { return logScale_; }
    void setLogScale(bool log);
    void resetView();

    // Both write atomically and return an error naming the file, or nullopt.
    std::optional<QString> exportPng(const QString& path, int width, int height, double scale);
    std::optional<QString> exportPdf(const QString& path, int width, int height);

signals:
    void exportRequested(ntk::NtkPlot* plot);

protected:
    virtual bool hasData() const = 0;
    virtual void rebuild() = 0;
    // Text for the hover tooltip at a pixel position; the default finds the nearest graph point.
    virtual QString hoverText(const QPoint& pixel) const;
    virtual bool supportsLogScale() const { return true; }
    void setTitleText(const QString& text);
    void setNote(const QString& text); // a small line under the title, e.g. "3 eigenvalues <= 0 not shown"
    void configureValueAxis(QCPAxis* axis, bool log);
    // Picks the scale from the data, until someone chooses one with setLogScale().
    void suggestLogScale(bool log) {
        if (!scaleChosen_)
            logScale_ = log;
    }
    bool followsData() const { return !userMovedView_; }

    void contextMenuEvent(QContextMenuEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    void applyFonts(const PlotStyle& style);
    // After each layout (on screen and for exports at any size): titles broken or elided to the width,
    // tick counts from the axis lengths and the tick labels' size, then laid out again when that changed.
    void fitToSpace();
    bool fitText(QCPTextElement* element, const QString& full);
    bool fitAxisLabels();
    bool tickCountsFromLength();
    bool thinOverlappingTicks();

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
    PlotStyle style_;
    bool logScale_ = false;
    bool scaleChosen_ = false;
    bool userMovedView_ = false;
};

// Keeps finite, and for log axes positive, points only; returns how many were dropped.
int filterForAxis(QVector<double>& keys, QVector<double>& values, bool log);

} // namespace ntk
