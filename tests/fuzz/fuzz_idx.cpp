// libFuzzer target for ntk::loadIdxPair. The input is split into an image file and a label file:
// the first two bytes (big-endian, modulo what is left) give the image file's length, the rest after it
// is the label file. Either file may be plain IDX or gzip. Any outcome but a consistent data set or
// ntk::DataError is a finding.
#include "data_error.h"
#include "idx_reader.h"
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
    static const ScratchFile images("images");
    static const ScratchFile labels("labels");
    if (size < 2)
        return 0;
    const std::size_t rest = size - 2;
    const std::size_t imageBytes = ((std::size_t{data[0]} << 8) | data[1]) % (rest + 1);
    images.write(data + 2, imageBytes);
    labels.write(data + 2 + imageBytes, rest - imageBytes);
    try {
        const ntk::Dataset dataset = ntk::loadIdxPair(images.path(), labels.path(), "fuzz");
        check(dataset.size() > 0 && dataset.dimension() > 0, "a loaded data set has images and pixels");
        check(dataset.labels.size() == dataset.size(), "one label per image");
        check(dataset.features.minCoeff() >= 0 && dataset.features.maxCoeff() <= 255, "pixels are bytes");
        check(dataset.labels.minCoeff() >= 0 && dataset.labels.maxCoeff() < dataset.classCount,
              "labels are class indices");
    } catch (const ntk::DataError& error) {
        check(std::strchr(error.what(), '\n') == nullptr, "the error message is one line");
    }
    return 0;
}
