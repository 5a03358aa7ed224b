// libFuzzer target for ntk::decodeNpy: any bytes must decode consistently or throw ntk::DataError.
// What decodes as a 2-D '<f8' array must also survive encodeNpy and a second decode bit for bit.
#include "data_error.h"
#include "npy.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

void check(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

void checkRoundTrip(const ntk::NpyArray& array) {
    const auto rows = static_cast<Eigen::Index>(array.shape[0]);
    const auto cols = static_cast<Eigen::Index>(array.shape[1]);
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::MatrixXd matrix = Eigen::Map<const RowMajor>(array.data.data(), rows, cols);
    const ntk::NpyArray again = ntk::decodeNpy(ntk::encodeNpy(matrix), "round trip");
    check(again.descr == "<f8" && again.shape == array.shape, "round trip keeps dtype and shape");
    // memcmp, not ==: NaN payloads must survive too. (memcmp of an empty vector's null data is UB.)
    check(array.data.empty() ||
              std::memcmp(again.data.data(), array.data.data(), array.data.size() * sizeof(double)) == 0,
          "round trip keeps every value");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        const ntk::NpyArray array = ntk::decodeNpy(bytes, "fuzz.npy");
        std::size_t elements = 1;
        for (const std::size_t dimension : array.shape)
            elements *= dimension; // cannot overflow: decodeNpy checked it against the bytes present
        check(array.data.size() == elements, "element count matches the shape");
        if (array.descr == "<f8" && array.shape.size() == 2)
            checkRoundTrip(array);
    } catch (const ntk::DataError& error) {
        check(std::strchr(error.what(), '\n') == nullptr, "the error message is one line");
    }
    return 0;
}
