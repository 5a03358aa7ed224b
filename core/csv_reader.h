#pragma once
// Reader for numeric comma-separated files: one row per point, one column holding the label or target.
// All failures are reported as ntk::DataError naming the file, line and column.
#include "dataset.h"

#include <string>

namespace ntk {

struct CsvOptions {
    int labelColumn = -1; // -1 = last column, otherwise 0-based
    enum class Task { Auto, Classification, Regression } task = Task::Auto;
};

// Reads a UTF-8 (or ASCII) CSV file of numbers separated by ','. The first line is taken as a header
// when any of its fields is not a number. Task::Auto chooses classification when every label is an
// integer in [0, 1000) and regression otherwise. The dataset is named after the file's stem.
Dataset loadCsv(const std::string& path, const CsvOptions& options = {});

} // namespace ntk
