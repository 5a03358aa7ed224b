#include "npy.h"

#include "data_error.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

namespace ntk {

// The .npy descriptors written and accepted here say '<' (little-endian); the raw bytes are copied
// to and from memory without swapping.
static_assert(std::endian::native == std::endian::little, "npy.cpp assumes a little-endian host");

namespace {

constexpr std::string_view npyMagic = "\x93NUMPY";
constexpr std::size_t headerAlignment = 64; // numpy >= 1.14 aligns to 64 so the data can be memory-mapped
constexpr std::size_t version1PreambleBytes = 10; // magic, 2 version bytes, uint16 header length
constexpr std::size_t version2PreambleBytes = 12; // magic, 2 version bytes, uint32 header length

std::string encodeHeader(std::string_view descr, const std::vector<std::size_t>& shape) {
    std::string dict = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            dict += ", ";
        dict += std::to_string(shape[i]);
    }
    if (shape.size() == 1)
        dict += ','; // Python's spelling of a 1-tuple
    dict += "), }";

    const std::size_t unpadded = version1PreambleBytes + dict.size() + 1; // + the final '\n'
    dict.append((headerAlignment - unpadded % headerAlignment) % headerAlignment, ' ');
    dict += '\n';
    const auto headerLength = static_cast<std::uint16_t>(dict.size()); // a 3-dim dict is far below 64 KiB

    std::string out(npyMagic);
    out += '\x01'; // format version 1.0
    out += '\x00';
    out += static_cast<char>(headerLength & 0xff);
    out += static_cast<char>(headerLength >> 8);
    out += dict;
    return out;
}

template <typename Scalar> void appendRaw(std::string& out, const Scalar* values, std::size_t count) {
    out.append(reinterpret_cast<const char*>(values), count * sizeof(Scalar));
}

// A parser for exactly the Python dict literal numpy writes: string keys, and string, bool or
// int-tuple values. Python's ast.literal_eval is what numpy uses; this is the subset .npy needs.
class HeaderParser {
public:
    HeaderParser(std::string_view text, const std::string& sourceName)
        : text_(text)
        , sourceName_(sourceName) {}

    NpyArray parse() {
        std::optional<std::string> descr;
        std::optional<bool> fortranOrder;
        std::optional<std::vector<std::size_t>> shape;

        expect('{');
        while (true) {
            skipSpace();
            if (peek() == '}')
                break;
            const std::string key = parseString();
            expect(':');
            if (key == "descr" && !descr)
                descr = parseString();
            else if (key == "fortran_order" && !fortranOrder)
                fortranOrder = parseBool();
            else if (key == "shape" && !shape)
                shape = parseShape();
            else
                fail("unexpected or repeated key '" + key + "' in the header");
            skipSpace();
            if (peek() != ',')
                break;
            ++position_;
        }
        expect('}');
        skipSpace();
        if (position_ != text_.size())
            fail("unexpected text after the header dictionary");
        if (!descr || !fortranOrder || !shape)
            fail("the header must contain 'descr', 'fortran_order' and 'shape'");
        if (*fortranOrder)
            fail("Fortran-order arrays are not supported, only C order");
        return NpyArray{*descr, *shape, {}};
    }

private:
    char peek() const { return position_ < text_.size() ? text_[position_] : '\0'; }

    void skipSpace() {
        while (position_ < text_.size() &&
               (text_[position_] == ' ' || text_[position_] == '\n' || text_[position_] == '\t'))
            ++position_;
    }

    void expect(char wanted) {
        skipSpace();
        if (peek() != wanted)
            fail(std::string("malformed header: expected '") + wanted + "' at offset " +
                 std::to_string(position_) + " of the header");
        ++position_;
    }

    std::string parseString() {
        skipSpace();
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            fail("malformed header: expected a quoted string at offset " + std::to_string(position_));
        const std::size_t end = text_.find(quote, position_ + 1);
        if (end == std::string_view::npos)
            fail("malformed header: unterminated string");
        std::string value(text_.substr(position_ + 1, end - position_ - 1));
        position_ = end + 1;
        return value;
    }

    bool parseBool() {
        skipSpace();
        const std::string_view rest = text_.substr(position_);
        if (rest.starts_with("True")) {
            position_ += 4;
            return true;
        }
        if (rest.starts_with("False")) {
            position_ += 5;
            return false;
        }
        fail("malformed header: 'fortran_order' must be True or False");
    }

    std::vector<std::size_t> parseShape() {
        std::vector<std::size_t> shape;
        expect('(');
        while (true) {
            skipSpace();
            if (peek() == ')')
                break;
            shape.push_back(parseSize());
            skipSpace();
            if (peek() != ',')
                break;
            ++position_;
        }
        expect(')');
        return shape;
    }

    std::size_t parseSize() {
        if (peek() < '0' || peek() > '9')
            fail("malformed header: expected a dimension size at offset " + std::to_string(position_));
        std::size_t value = 0;
        constexpr std::size_t maxValue = std::numeric_limits<std::size_t>::max();
        while (peek() >= '0' && peek() <= '9') {
            const auto digit = static_cast<std::size_t>(peek() - '0');
            if (value > (maxValue - digit) / 10)
                fail("malformed header: dimension size does not fit in 64 bits");
            value = value * 10 + digit;
            ++position_;
        }
        if (peek() == 'L') // Python 2 long literal, written by old numpy versions
            ++position_;
        return value;
    }

    [[noreturn]] void fail(const std::string& problem) const { throw DataError(sourceName_, problem); }

    std::string_view text_;
    const std::string& sourceName_;
    std::size_t position_ = 0;
};

template <typename Stored>
void convertToDouble(const char* raw, std::size_t count, std::vector<double>& out) {
    out.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        Stored value;
        std::memcpy(&value, raw + i * sizeof(Stored), sizeof(Stored)); // the data need not be aligned
        out[i] = static_cast<double>(value);
    }
}

[[noreturn]] void throwDecodeError(const std::string& sourceName, const std::string& problem) {
    throw DataError(sourceName, problem);
}

std::string shapeText(const std::vector<std::size_t>& shape) {
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

} // namespace

std::string encodeNpy(const Eigen::MatrixXd& m) {
    std::string out;
    out.reserve(128 + static_cast<std::size_t>(m.size()) * sizeof(double));
    streamNpy(m, false, [&out](const char* bytes, std::size_t size) {
        out.append(bytes, size);
        return true;
    });
    return out;
}

void streamNpy(const Eigen::MatrixXd& m, bool symmetric,
               const std::function<bool(const char* bytes, std::size_t size)>& sink) {
    const std::string header =
        encodeHeader("<f8", {static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())});
    if (!sink(header.data(), header.size()) || m.size() == 0)
        return;
    constexpr std::size_t pieceBytes = std::size_t(1) << 20;
    if (symmetric && m.rows() == m.cols()) {
        // Column j of a symmetric matrix is its row j: Eigen's column-major storage already is C order.
        const auto* bytes = reinterpret_cast<const char*>(m.data());
        const std::size_t total = static_cast<std::size_t>(m.size()) * sizeof(double);
        for (std::size_t done = 0; done < total; done += pieceBytes)
            if (!sink(bytes + done, std::min(pieceBytes, total - done)))
                return;
        return;
    }
    // Eigen stores column-major; .npy C order wants each row contiguous: transpose a block of rows at a time.
    const Eigen::Index rowsPerPiece = std::max<Eigen::Index>(1, Eigen::Index(pieceBytes / sizeof(double)) /
                                                                    std::max<Eigen::Index>(1, m.cols()));
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> piece;
    for (Eigen::Index row = 0; row < m.rows(); row += rowsPerPiece) {
        piece = m.middleRows(row, std::min(rowsPerPiece, m.rows() - row));
        if (!sink(reinterpret_cast<const char*>(piece.data()),
                  static_cast<std::size_t>(piece.size()) * sizeof(double)))
            return;
    }
}

void streamNpy(const PackedSymmetricMatrix& m,
               const std::function<bool(const char* bytes, std::size_t size)>& sink) {
    const auto n = static_cast<std::size_t>(m.size());
    const std::string header = encodeHeader("<f8", {n, n});
    if (!sink(header.data(), header.size()) || n == 0)
        return;
    // Columns of a symmetric matrix are its rows: column-major blocks are already C order. About 4 MiB per
    // block, so each stored column above the diagonal is read in runs of tens of numbers.
    const Eigen::Index perBlock = std::max<Eigen::Index>(1, Eigen::Index((std::size_t(4) << 20) / (8 * n)));
    Eigen::MatrixXd block;
    for (Eigen::Index first = 0; first < m.size(); first += perBlock) {
        m.copyColumns(first, std::min(perBlock, m.size() - first), block);
        if (!sink(reinterpret_cast<const char*>(block.data()),
                  static_cast<std::size_t>(block.size()) * sizeof(double)))
            return;
    }
}

std::string encodeNpy(const Eigen::VectorXd& v) {
    std::string out = encodeHeader("<f8", {static_cast<std::size_t>(v.size())});
    appendRaw(out, v.data(), static_cast<std::size_t>(v.size()));
    return out;
}

std::string encodeNpy(const Eigen::VectorXi& v) {
    // '<i8' rather than '<i4' because that is numpy's default integer type on 64-bit platforms.
    const Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> wide = v.cast<std::int64_t>();
    std::string out = encodeHeader("<i8", {static_cast<std::size_t>(v.size())});
    appendRaw(out, wide.data(), static_cast<std::size_t>(wide.size()));
    return out;
}

NpyArray decodeNpy(const std::string& bytes, const std::string& sourceName) {
    const auto fail = [&sourceName](const std::string& problem) { throwDecodeError(sourceName, problem); };

    if (!std::string_view(bytes).starts_with(npyMagic))
        fail(bytes.size() < npyMagic.size() ? "truncated: too short for a .npy file"
                                            : "not a .npy file (it does not start with \\x93NUMPY)");
    if (bytes.size() < npyMagic.size() + 2)
        fail("truncated: the file ends inside the .npy preamble");
    const auto major = static_cast<unsigned char>(bytes[6]);
    const auto minor = static_cast<unsigned char>(bytes[7]);
    if ((major != 1 && major != 2) || minor != 0)
        fail("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
             " (only 1.0 and 2.0 are supported)");

    const std::size_t preambleBytes = major == 1 ? version1PreambleBytes : version2PreambleBytes;
    if (bytes.size() < preambleBytes)
        fail("truncated: the file ends inside the .npy preamble");
    std::size_t headerLength = 0;
    for (std::size_t i = preambleBytes; i-- > 8;) // little-endian length after the version bytes
        headerLength = headerLength << 8 | static_cast<unsigned char>(bytes[i]);
    if (headerLength > bytes.size() - preambleBytes)
        fail("truncated: the header claims " + std::to_string(headerLength) + " bytes but only " +
             std::to_string(bytes.size() - preambleBytes) + " follow the preamble");

    NpyArray array =
        HeaderParser(std::string_view(bytes).substr(preambleBytes, headerLength), sourceName).parse();

    std::size_t itemBytes = 0;
    if (array.descr == "<f8" || array.descr == "<i8")
        itemBytes = 8;
    else if (array.descr == "<f4" || array.descr == "<i4")
        itemBytes = 4;
    else
        fail("unsupported dtype '" + array.descr + "' (supported: <f8, <f4, <i8, <i4)");

    const std::size_t dataOffset = preambleBytes + headerLength;
    const std::size_t availableBytes = bytes.size() - dataOffset;
    // Compare with what is actually there before multiplying, so a lying shape cannot overflow or
    // make us allocate.
    const std::size_t maxElements = availableBytes / itemBytes;
    std::size_t elementCount = 1;
    bool hasZeroDimension = false;
    for (const std::size_t dimension : array.shape)
        hasZeroDimension = hasZeroDimension || dimension == 0;
    if (hasZeroDimension) {
        elementCount = 0;
    } else {
        for (const std::size_t dimension : array.shape) {
            if (elementCount > maxElements / dimension)
                fail("truncated: shape " + shapeText(array.shape) + " of " + array.descr +
                     " needs more than the " + std::to_string(availableBytes) +
                     " bytes that follow the header");
            elementCount *= dimension;
        }
    }
    const std::size_t dataBytes = elementCount * itemBytes;
    if (dataBytes != availableBytes)
        fail(std::to_string(availableBytes - dataBytes) + " unexpected bytes after the data of shape " +
             shapeText(array.shape));

    const char* raw = bytes.data() + dataOffset;
    if (array.descr == "<f8")
        convertToDouble<double>(raw, elementCount, array.data);
    else if (array.descr == "<f4")
        convertToDouble<float>(raw, elementCount, array.data);
    else if (array.descr == "<i8")
        convertToDouble<std::int64_t>(raw, elementCount, array.data);
    else
        convertToDouble<std::int32_t>(raw, elementCount, array.data);
    return array;
}

} // namespace ntk
