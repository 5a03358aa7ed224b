#include "export_dialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>

namespace ntk {

ExportDialog::ExportDialog(const ExportSize& initial, QWidget* parent)
    : QDialog(parent)
    , width_(new QSpinBox(this))
    , height_(new QSpinBox(this))
    , scale_(new QDoubleSpinBox(this)) {
    setWindowTitle(tr("Figure size"));
    width_->setRange(200, 8000);
    height_->setRange(150, 8000);
    scale_->setRange(0.5, 4.0);
    scale_->setSingleStep(0.5);
    width_->setValue(initial.width);
    height_->setValue(initial.height);
    scale_->setValue(initial.scale);
    width_->setSuffix(tr(" px"));
    height_->setSuffix(tr(" px"));
    scale_->setSuffix(tr(" ×"));
    scale_->setToolTip(
        tr("Pixel scale: 2× doubles the resolution for sharp figures on slides and in print."));
    auto* layout = new QFormLayout(this);
    layout->addRow(tr("Width"), width_);
    layout->addRow(tr("Height"), height_);
    layout->addRow(tr("Scale"), scale_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

ExportSize ExportDialog::size() const {
    return {width_->value(), height_->value(), scale_->value()};
}

std::optional<ExportSize> ExportDialog::ask(QWidget* parent, const ExportSize& initial) {
    ExportDialog dialog(initial, parent);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return dialog.size();
}

} // namespace ntk
