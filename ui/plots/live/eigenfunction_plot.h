#pragma once
// The top NTK eigenvectors of the latest epoch that has them (core/eigenfunctions.h), one small panel per
// eigenvector, each headed with its eigenvalue: for 2-D inputs a map of phi_k over the plane (red above
// zero, blue below, white at zero) with the training points; for 1-D inputs the curve phi_k(x) with the
// eigenvector's entries at the training points; for images the eigenvector-weighted mean image beside the
// training images that load most on it. Other inputs, and runs too large for them, get the reason instead.
#include "live_plot.h"

namespace ntk {

class EigenfunctionPlot : public LivePlot {
    Q_OBJECT
public:
    explicit EigenfunctionPlot(QWidget* parent = nullptr);
    QString nothingToDrawReason() const override;
    void applyStyle(const PlotStyle& style) override;
    // The panels' headings as shown, e.g. "φ₁ (λ₁ = 123.4)"; empty while there is nothing to draw.
    QStringList panelHeadings() const;
    // The colour maps drawn (one per panel in use); for a test to read their values.
    QList<const QCPColorMap*> panelMaps() const;

protected:
    void rebuild(const RunHistory& history) override;
    bool supportsLogScale() const override { return false; }

private:
    struct Panel {
        QCPTextElement* heading = nullptr;
        QCPAxisRect* rect = nullptr;
        QCPColorMap* map = nullptr;
    };
    void showPanels(int count);
    QCPAxis* keyAxis(int panel) const { return panels_[panel].rect->axis(QCPAxis::atBottom); }
    QCPAxis* valueAxis(int panel) const { return panels_[panel].rect->axis(QCPAxis::atLeft); }
    void drawPlane(const RunHistory& history, const Eigenfunctions& functions);
    void drawLine(const RunHistory& history, const Eigenfunctions& functions);
    void drawImages(const RunHistory& history, const Eigenfunctions& functions);
    void keepImagesSquare();
    // Empty when there is something to draw; else why not (also the waiting text shown).
    QString whyNothing(const RunHistory& history) const;

    QCPLayoutGrid* grid_ = nullptr;
    std::vector<Panel> panels_;
    int shownPanels_ = -1;
    bool images_ = false;
    QString reason_;
};

} // namespace ntk
