#include "export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSignalBlocker>
#include <QSpinBox>

namespace ntk {

ExportDialog::ExportDialog(const ExportSize& initial, QWidget* parent)
    : QDialog(parent)
    , preset_(new QComboBox(this))
    , width_(new QSpinBox(this))
    , height_(new QSpinBox(this))
    , scale_(new QDoubleSpinBox(this))
    , styleScale_(new QDoubleSpinBox(this)) {
    setWindowTitle(tr("Figure size"));
    preset_->addItem(tr("Custom"));
    for (FigurePreset preset : {FigurePreset::Slide16x9, FigurePreset::Slide4x3})
        preset_->addItem(figurePresetLabel(preset), int(preset));
    preset_->setToolTip(tr("Slide presets: a full-slide image with text large enough for a projector"));
    width_->setRange(200, 8000);
    height_->setRange(150, 8000);
    scale_->setRange(0.5, 4.0);
    scale_->setSingleStep(0.5);
    styleScale_->setRange(0.5, 4.0);
    styleScale_->setSingleStep(0.1);
    width_->setSuffix(tr(" px"));
    height_->setSuffix(tr(" px"));
    scale_->setSuffix(tr(" ×"));
    styleScale_->setSuffix(tr(" ×"));
    scale_->setToolTip(
        tr("Pixel scale: 2× doubles the resolution for sharp figures on slides and in print."));
    styleScale_->setToolTip(tr("Text and lines, relative to the window's normal size"));
    auto* layout = new QFormLayout(this);
    layout->addRow(tr("Preset"), preset_);
    layout->addRow(tr("Width"), width_);
    layout->addRow(tr("Height"), height_);
    layout->addRow(tr("Scale"), scale_);
    layout->addRow(tr("Text and lines"), styleScale_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    showValues(initial);
    connect(preset_, &QComboBox::activated, this, [this](int index) {
        if (index > 0)
            choosePreset(FigurePreset(preset_->itemData(index).toInt()));
    });
    // A value edited by hand is no longer the preset.
    connect(width_, &QSpinBox::valueChanged, this, &ExportDialog::showMatchingPreset);
    connect(height_, &QSpinBox::valueChanged, this, &ExportDialog::showMatchingPreset);
    connect(scale_, &QDoubleSpinBox::valueChanged, this, &ExportDialog::showMatchingPreset);
    connect(styleScale_, &QDoubleSpinBox::valueChanged, this, &ExportDialog::showMatchingPreset);
}

void ExportDialog::showValues(const ExportSize& size) {
    for (QWidget* field : std::initializer_list<QWidget*>{width_, height_, scale_, styleScale_})
        field->blockSignals(true);
    width_->setValue(size.width);
    height_->setValue(size.height);
    scale_->setValue(size.scale);
    styleScale_->setValue(size.styleScale);
    for (QWidget* field : std::initializer_list<QWidget*>{width_, height_, scale_, styleScale_})
        field->blockSignals(false);
    showMatchingPreset();
}

void ExportDialog::showMatchingPreset() {
    const ExportSize now = size();
    int match = 0;
    for (int i = 1; i < preset_->count(); ++i) {
        const ExportSize preset = ExportSize::from(figureOptions(FigurePreset(preset_->itemData(i).toInt())));
        if (preset.width == now.width && preset.height == now.height &&
            qFuzzyCompare(preset.scale, now.scale) && qFuzzyCompare(preset.styleScale, now.styleScale))
            match = i;
    }
    const QSignalBlocker block(preset_);
    preset_->setCurrentIndex(match);
}

void ExportDialog::choosePreset(FigurePreset preset) {
    showValues(ExportSize::from(figureOptions(preset)));
}

ExportSize ExportDialog::size() const {
    return {width_->value(), height_->value(), scale_->value(), styleScale_->value()};
}

std::optional<ExportSize> ExportDialog::ask(QWidget* parent, const ExportSize& initial) {
    ExportDialog dialog(initial, parent);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return dialog.size();
}

} // namespace ntk
