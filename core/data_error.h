#pragma once
// The one exception type thrown by the data loaders (IDX, CSV, .npy).
//
// The message is meant to be shown to the user as is, so it is always a single line that starts with
// the file (and line, where there is one) in the compiler-like form editors and terminals understand:
//     data.csv:17: column 3: "abc" is not a number
//     train-images-idx3-ubyte.gz: truncated: header claims 60000 images of 28x28 but ...
#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ntk {

struct DataError : std::runtime_error {
    explicit DataError(const std::string& message)
        : std::runtime_error(singleLine(message)) {}

    DataError(const std::string& file, const std::string& problem)
        : DataError(file + ": " + problem) {}

    DataError(const std::string& file, std::size_t line, const std::string& problem)
        : DataError(file + ":" + std::to_string(line) + ": " + problem) {}

    // Text taken from a broken file goes into messages; bound its length and make control bytes
    // visible so that a fuzzed or binary file cannot produce a multi-line or megabyte-long message.
    static std::string quoted(std::string_view text, std::size_t maxLength = 40) {
        std::size_t kept = std::min(text.size(), maxLength);
        // Cut before a UTF-8 continuation byte, not inside a character, so the message stays valid UTF-8.
        while (kept < text.size() && kept > 0 && (static_cast<unsigned char>(text[kept]) & 0xc0) == 0x80)
            --kept;
        std::string out = "\"";
        for (std::size_t i = 0; i < kept; ++i) {
            const auto byte = static_cast<unsigned char>(text[i]);
            if (byte == '"' || byte == '\\') {
                out += '\\';
                out += static_cast<char>(byte);
            } else if (byte < 0x20 || byte == 0x7f) {
                static constexpr char hexDigits[] = "0123456789abcdef";
                out += "\\x";
                out += hexDigits[byte >> 4];
                out += hexDigits[byte & 0xf];
            } else {
                out += static_cast<char>(byte);
            }
        }
        if (kept < text.size())
            out += "...";
        out += '"';
        return out;
    }

private:
    static std::string singleLine(std::string message) {
        for (char& c : message)
            if (c == '\n' || c == '\r')
                c = ' ';
        return message;
    }
};

} // namespace ntk
