#include "idx_reader.h"

#include "data_error.h"

#include <zlib.h>

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace ntk {
namespace {

namespace fs = std::filesystem;

// Far above any real IDX file (Fashion-MNIST train is 47 MB) yet small enough that a corrupt header
// cannot talk us into reserving more memory than a desktop has.
constexpr std::uint64_t maxPayloadBytes = std::uint64_t{1} << 31;
constexpr unsigned char unsignedByteType = 0x08;
constexpr int maxDimensions = 4;
// The body is read in steps that start small and double up to a limit, so that memory grows with the
// data actually present, not with what a (possibly lying) header claims.
constexpr std::size_t firstBodyReadStep = std::size_t{1} << 20;
constexpr std::size_t maxBodyReadStep = std::size_t{64} << 20;
// gzread takes an unsigned and returns an int, so one call must stay below INT_MAX bytes.
constexpr std::size_t maxGzReadChunk = std::size_t{1} << 30;
constexpr std::uint64_t maxDeflateRatio = 1032;

std::string hexByte(unsigned char byte) {
    static constexpr char hexDigits[] = "0123456789abcdef";
    return {'0', 'x', hexDigits[byte >> 4], hexDigits[byte & 0xf]};
}

std::string dataTypeName(unsigned char type) {
    switch (type) {
    case 0x08:
        return "unsigned byte";
    case 0x09:
        return "signed byte";
    case 0x0b:
        return "16-bit integer";
    case 0x0c:
        return "32-bit integer";
    case 0x0d:
        return "32-bit float";
    case 0x0e:
        return "64-bit float";
    default:
        return {};
    }
}

struct GzCloser {
    void operator()(gzFile file) const { gzclose(file); }
};
using GzHandle = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

// A gzip-or-plain input file that counts what it delivered, so truncation can be reported precisely.
class IdxStream {
public:
    explicit IdxStream(std::string path)
        : path_(std::move(path)) {
        std::error_code error;
        const fs::file_status status = fs::status(path_, error);
        if (status.type() == fs::file_type::not_found)
            fail("no such file");
        if (error)
            fail("cannot access: " + error.message());
        if (fs::is_directory(status))
            fail("is a directory, expected an IDX file");
        errno = 0;
        file_.reset(gzopen(path_.c_str(), "rb"));
        if (!file_)
            fail("cannot open: " + (errno != 0 ? std::generic_category().message(errno) : "out of memory"));
        // The default 8 KiB buffer makes decompressing the 47 MB training images noticeably slower.
        gzbuffer(file_.get(), 256 * 1024);
    }

    // Reads up to size bytes; fewer only when the data ends. Corrupt gzip data throws.
    std::size_t read(unsigned char* buffer, std::size_t size) {
        std::size_t total = 0;
        while (total < size) {
            const auto chunk = static_cast<unsigned>(std::min(size - total, maxGzReadChunk));
            const int got = gzread(file_.get(), buffer + total, chunk);
            if (got < 0)
                fail(gzipErrorText());
            if (got == 0)
                break;
            total += static_cast<std::size_t>(got);
        }
        bytesDelivered_ += total;
        return total;
    }

    [[noreturn]] void fail(const std::string& problem) const { throw DataError(path_, problem); }

    // An upper bound on the bytes the file can deliver, as far as it says cheaply: a plain file's size, or
    // a gzip file's own record of its uncompressed length (modulo 2^32, and only as true as the file).
    // 0 when unknown.
    std::uint64_t deliverableBytesHint() const {
        std::error_code error;
        const std::uint64_t size = fs::file_size(path_, error);
        if (error)
            return 0;
        if (!isCompressed())
            return size;
        std::ifstream file(path_, std::ios::binary);
        unsigned char trailer[4] = {};
        if (size < 4 || !file.seekg(std::streamoff(size - 4)) ||
            !file.read(reinterpret_cast<char*>(trailer), 4))
            return 0;
        const std::uint64_t recorded = std::uint64_t(trailer[0]) | std::uint64_t(trailer[1]) << 8 |
                                       std::uint64_t(trailer[2]) << 16 | std::uint64_t(trailer[3]) << 24;
        // Deflate expands by at most 1032 to 1, whatever the trailer claims.
        return std::min(recorded, size * maxDeflateRatio);
    }

    [[noreturn]] void failTruncated(const std::string& expectation) const {
        std::string message = "truncated: " + expectation + " but the ";
        if (isCompressed())
            message += "uncompressed data ends after " + std::to_string(bytesDelivered_) + " bytes";
        else
            message += "file ends after " + std::to_string(bytesDelivered_) + " bytes";
        int status = Z_OK;
        const std::string zlibMessage = zlibErrorText(status);
        if (status != Z_OK && !zlibMessage.empty())
            message += " (gzip: " + zlibMessage + ")";
        fail(message);
    }

    // A gzip member's CRC and length are only checked when inflate reaches its end, which reading
    // exactly the declared payload never does. Asking for one more byte gets there whenever the data
    // ends where the header says, without decompressing arbitrary amounts of trailing garbage.
    void verifyIntegrityAfterPayload() {
        unsigned char probe = 0;
        if (gzread(file_.get(), &probe, 1) < 0)
            fail(gzipErrorText());
        int status = Z_OK;
        const std::string zlibMessage = zlibErrorText(status);
        if (status != Z_OK)
            fail("truncated gzip data after the declared contents (gzip: " + zlibMessage + ")");
    }

private:
    bool isCompressed() const { return gzdirect(file_.get()) == 0; }

    // zlib prefixes its messages with the path, which our messages already start with.
    std::string zlibErrorText(int& status) const {
        const char* zlibMessage = gzerror(file_.get(), &status);
        std::string text = zlibMessage != nullptr ? zlibMessage : "";
        const std::string pathPrefix = path_ + ": ";
        if (text.starts_with(pathPrefix))
            text.erase(0, pathPrefix.size());
        return text;
    }

    std::string gzipErrorText() const {
        int status = Z_OK;
        const std::string zlibMessage = zlibErrorText(status);
        if (status == Z_ERRNO)
            return "read error: " + std::generic_category().message(errno);
        return "corrupt gzip data: " + (zlibMessage.empty() ? std::string("unknown error") : zlibMessage);
    }

    std::string path_;
    GzHandle file_;
    std::uint64_t bytesDelivered_ = 0;
};

struct IdxHeader {
    std::vector<std::uint64_t> dimensions;
    std::uint64_t payloadBytes = 0;
};

IdxHeader readHeader(IdxStream& stream) {
    std::array<unsigned char, 4> magic{};
    if (stream.read(magic.data(), magic.size()) < magic.size())
        stream.failTruncated("an IDX header needs at least 4 bytes");
    if (magic[0] != 0 || magic[1] != 0)
        stream.fail("not an IDX file: it starts with bytes " + hexByte(magic[0]) + " " + hexByte(magic[1]) +
                    ", expected 0x00 0x00");
    if (magic[2] != unsignedByteType) {
        const std::string typeName = dataTypeName(magic[2]);
        if (typeName.empty())
            stream.fail("not an IDX file: invalid data type byte " + hexByte(magic[2]));
        stream.fail("unsupported IDX data type " + hexByte(magic[2]) + " (" + typeName +
                    "), only unsigned bytes (0x08) are supported");
    }
    const int dimensionCount = magic[3];
    if (dimensionCount < 1 || dimensionCount > maxDimensions)
        stream.fail("invalid IDX header: " + std::to_string(dimensionCount) + " dimensions, expected 1 to " +
                    std::to_string(maxDimensions));

    std::array<unsigned char, 4 * maxDimensions> sizeBytes{};
    const std::size_t sizeByteCount = 4 * static_cast<std::size_t>(dimensionCount);
    if (stream.read(sizeBytes.data(), sizeByteCount) < sizeByteCount)
        stream.failTruncated("the header declares " + std::to_string(dimensionCount) +
                             " dimensions and needs " + std::to_string(4 + sizeByteCount) + " bytes");

    IdxHeader header;
    header.payloadBytes = 1;
    for (int i = 0; i < dimensionCount; ++i) {
        const unsigned char* bigEndian = sizeBytes.data() + 4 * i;
        const std::uint64_t size = (std::uint64_t{bigEndian[0]} << 24) | (std::uint64_t{bigEndian[1]} << 16) |
                                   (std::uint64_t{bigEndian[2]} << 8) | std::uint64_t{bigEndian[3]};
        if (size == 0)
            stream.fail("invalid IDX header: dimension " + std::to_string(i + 1) + " of " +
                        std::to_string(dimensionCount) + " is 0");
        header.dimensions.push_back(size);
        // Both factors are below 2^32 and the running product stays at most 2^31 (checked each
        // step), so the multiplication cannot overflow 64 bits.
        header.payloadBytes *= size;
        if (header.payloadBytes > maxPayloadBytes)
            stream.fail("refusing an IDX file whose header claims more than " +
                        std::to_string(maxPayloadBytes) + " bytes of data (dimensions 1 to " +
                        std::to_string(i + 1) + " alone need " + std::to_string(header.payloadBytes) + ")");
    }
    return header;
}

std::string describeImages(const IdxHeader& header) {
    std::string text = std::to_string(header.dimensions[0]) + " images of ";
    for (std::size_t i = 1; i < header.dimensions.size(); ++i) {
        if (i > 1)
            text += 'x';
        text += std::to_string(header.dimensions[i]);
    }
    return text;
}

// Asks the kernel to back a large buffer with huge pages where it can. A fresh 4 KB page costs a fault
// when first written, and on a virtual machine each fault is dear: reading the 47 MB of Fashion-MNIST's
// training images took about 0.1 s of faults (a sixth of an n = 2000 spectrum's loading), nearly all
// gone with 2 MB pages. Only advice: where the kernel does not take it, nothing changes.
void preferHugePages(void* data, std::size_t bytes) {
#ifdef __linux__
    const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto begin = (reinterpret_cast<std::uintptr_t>(data) + page - 1) / page * page;
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) / page * page;
    if (end > begin)
        madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
    (void)data;
    (void)bytes;
#endif
}

std::vector<unsigned char> readPayload(IdxStream& stream, const IdxHeader& header, const std::string& claim) {
    std::vector<unsigned char> payload;
    try {
        // Room for what the file can deliver, so that the steps below do not reallocate (each held the old
        // and the new buffer at once) while a header that lies about a short file still gets no more.
        payload.reserve(
            static_cast<std::size_t>(std::min(header.payloadBytes, stream.deliverableBytesHint())));
        preferHugePages(payload.data(), payload.capacity());
        while (payload.size() < header.payloadBytes) {
            const std::size_t alreadyRead = payload.size();
            const auto step = static_cast<std::size_t>(
                std::min<std::uint64_t>(std::clamp(alreadyRead, firstBodyReadStep, maxBodyReadStep),
                                        header.payloadBytes - alreadyRead));
            payload.resize(alreadyRead + step);
            const std::size_t got = stream.read(payload.data() + alreadyRead, step);
            if (got < step)
                stream.failTruncated("header claims " + claim);
        }
        stream.verifyIntegrityAfterPayload();
    } catch (const std::bad_alloc&) {
        stream.fail("not enough memory to read " + std::to_string(header.payloadBytes) + " bytes");
    }
    return payload;
}

// The MNIST distribution uses train-images-idx3-ubyte; some mirrors rename it train-images.idx3-ubyte.
std::string findSplitFile(const fs::path& dir, const std::string& prefix, const std::string& kind,
                          const std::string& idxSuffix) {
    const std::array<std::string, 2> stems = {prefix + "-" + kind + "-" + idxSuffix,
                                              prefix + "-" + kind + "." + idxSuffix};
    for (const std::string& stem : stems) {
        for (const char* extension : {"", ".gz"}) {
            std::error_code error;
            const fs::path candidate = dir / (stem + extension);
            if (fs::is_regular_file(candidate, error))
                return candidate.string();
        }
    }
    throw DataError(dir.string(), "no " + prefix + " " + kind + " file: looked for " + stems[0] +
                                      "[.gz] and " + stems[1] + "[.gz]");
}

} // namespace

ImageSet loadIdxImages(const std::string& imagesPath, const std::string& labelsPath,
                       const std::string& name) {
    IdxStream images(imagesPath);
    const IdxHeader imageHeader = readHeader(images);
    if (imageHeader.dimensions.size() < 2)
        images.fail(
            "an image file needs at least 2 dimensions (count and pixels) but this one has 1 (is it a "
            "label file?)");

    IdxStream labels(labelsPath);
    const IdxHeader labelHeader = readHeader(labels);
    if (labelHeader.dimensions.size() != 1)
        labels.fail("a label file has 1 dimension but this one has " +
                    std::to_string(labelHeader.dimensions.size()) + " (is it an image file?)");

    const std::uint64_t imageCount = imageHeader.dimensions[0];
    const std::uint64_t labelCount = labelHeader.dimensions[0];
    if (imageCount != labelCount)
        labels.fail("image/label count mismatch: it has " + std::to_string(labelCount) + " labels but " +
                    imagesPath + " has " + std::to_string(imageCount) + " images");

    std::vector<unsigned char> pixels = readPayload(images, imageHeader, describeImages(imageHeader));
    const std::vector<unsigned char> labelBytes =
        readPayload(labels, labelHeader, std::to_string(labelCount) + " labels");
    // Anything after the declared data is ignored: some mirrors append padding.

    const auto rows = static_cast<Eigen::Index>(imageCount);
    const auto columns = static_cast<Eigen::Index>(imageHeader.payloadBytes / imageCount);
    using ByteVector = Eigen::Matrix<unsigned char, Eigen::Dynamic, 1>;
    ImageSet set;
    try {
        set.labels = Eigen::Map<const ByteVector>(labelBytes.data(), rows).cast<int>();
        set.bytes = std::move(pixels);
        set.pixelCount = columns;
    } catch (const std::bad_alloc&) {
        images.fail("not enough memory for " + std::to_string(rows) + " images");
    }
    // Refused here, as the CSV reader does, and not later by the trainer: there it depended on the
    // label (all 0s was refused, all 3s passed as "4 classes") and named no file.
    if (set.labels.minCoeff() == set.labels.maxCoeff())
        labels.fail("only one class (label " + std::to_string(set.labels.minCoeff()) +
                    ") in the file; classification needs at least two");
    set.classCount = set.labels.maxCoeff() + 1;
    set.name = name;
    return set;
}

Dataset ImageSet::toDataset(const std::vector<Eigen::Index>& rows) const {
    Dataset dataset;
    const PixelRows all = pixels();
    dataset.features.resize(Eigen::Index(rows.size()), pixelCount);
    preferHugePages(dataset.features.data(), std::size_t(dataset.features.size()) * sizeof(double));
    dataset.labels.resize(Eigen::Index(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        dataset.features.row(Eigen::Index(i)) = all.row(rows[i]).cast<double>();
        dataset.labels[Eigen::Index(i)] = labels[rows[i]];
    }
    dataset.classCount = classCount;
    dataset.task = TaskKind::Classification;
    dataset.name = name;
    return dataset;
}

Dataset ImageSet::toDataset() const {
    std::vector<Eigen::Index> all(static_cast<std::size_t>(size()));
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = Eigen::Index(i);
    return toDataset(all);
}

Dataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath, const std::string& name) {
    return loadIdxImages(imagesPath, labelsPath, name).toDataset();
}

Dataset loadMnistDirectory(const std::string& dir, IdxSplit split) {
    return loadMnistImages(dir, split).toDataset();
}

ImageSet loadMnistImages(const std::string& dir, IdxSplit split) {
    std::error_code error;
    if (!fs::is_directory(dir, error))
        throw DataError(dir, fs::exists(dir, error) ? "not a directory" : "no such directory");

    const std::string prefix = split == IdxSplit::Train ? "train" : "t10k";
    const std::string imagesPath = findSplitFile(dir, prefix, "images", "idx3-ubyte");
    const std::string labelsPath = findSplitFile(dir, prefix, "labels", "idx1-ubyte");

    // Canonical so that "." or "fashion-mnist/" still yield the directory's real name.
    fs::path dirPath = fs::canonical(dir, error);
    if (error)
        dirPath = fs::path(dir).lexically_normal();
    if (!dirPath.has_filename())
        dirPath = dirPath.parent_path();
    std::string collectionName = dirPath.filename().string();
    if (collectionName.empty())
        collectionName = "idx";
    return loadIdxImages(imagesPath, labelsPath,
                         collectionName + (split == IdxSplit::Train ? "-train" : "-test"));
}

std::string defaultFashionMnistDirectory() {
    return "/usr/share/datasets/fashion-mnist";
}

} // namespace ntk
