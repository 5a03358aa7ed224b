#pragma once
// Loaded image data sets, shared by every run that uses them (live runs and sweep threads alike):
// Fashion-MNIST takes a noticeable fraction of a second to decompress, a sweep may start dozens of runs.
#include "data_prep.h"

#include <memory>

namespace ntk {

// Thread-safe. Synthetic and CSV data depend on n, noise and seed and are cheap: made afresh each time.
std::shared_ptr<const DataSource> sharedDataSource(const RunConfig& config);

} // namespace ntk
