#pragma once
// Data sets and network parameters stored as NumPy .npy files, in the layout `ntkviz-cli train --out`
// writes, so that an earlier run's arrays, or a researcher's own, go straight back in. Every failure is a
// DataError naming the file.
#include "dataset.h"
#include "mlp.h"

#include <optional>
#include <string>

namespace ntk {

// x_<split>.npy (n x d, any of numpy's float or int types) with y_<split>.npy (n: integer labels for
// classification, classes 0 to 999; floating-point values for regression), split "train" or "test".
// nullopt when neither file is there and the split is not required.
std::optional<Dataset> loadNpyDataset(const std::string& directory, const std::string& split, bool required);

// The raw parameters W<l>.npy (fan_out x fan_in) and b<l>.npy (fan_out) of every layer, l = 1 to
// depth + 1, as Mlp::layers() holds them; each shape is checked against `shape`, and every value must be
// finite.
LayerSet loadLayerFiles(const std::string& directory, const MlpShape& shape);

} // namespace ntk
