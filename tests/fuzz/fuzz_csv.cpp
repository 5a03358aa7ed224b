// libFuzzer target for ntk::loadCsv. Any bytes must either load as a consistent data set or be refused
// with ntk::DataError; anything else (another exception, a sanitizer report, a broken invariant) is a
// finding. loadCsv reads a path, so each input is written to a scratch file first.
#include "csv_reader.h"
#include "data_error.h"
#include "scratch_file.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

void check(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const ScratchFile scratch("input.csv");
    scratch.write(data, size);
    try {
        const ntk::Dataset dataset = ntk::loadCsv(scratch.path());
        check(dataset.size() > 0 && dataset.dimension() > 0, "a loaded data set has rows and features");
        check(dataset.features.allFinite(), "every feature is finite");
        if (dataset.task == ntk::TaskKind::Classification) {
            check(dataset.labels.size() == dataset.size(), "one label per row");
            check(dataset.classCount >= 2, "at least two classes");
            check(dataset.labels.minCoeff() >= 0 && dataset.labels.maxCoeff() < dataset.classCount,
                  "labels are class indices");
        } else {
            check(dataset.values.size() == dataset.size(), "one target per row");
            check(dataset.values.allFinite(), "every target is finite");
        }
    } catch (const ntk::DataError& error) {
        check(std::strchr(error.what(), '\n') == nullptr, "the error message is one line");
    }
    return 0;
}
