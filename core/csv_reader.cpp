#include "csv_reader.h"

#include "data_error.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ntk {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t maxFileBytes = std::uintmax_t{1} << 30;
constexpr std::size_t maxLineBytes = std::size_t{1} << 20;
constexpr double maxExplicitClassLabel = 100000;
// Integer targets below this are almost always class indices; larger ones are usually counts or
// measurements that happen to be whole numbers.
constexpr double autoClassificationLabelLimit = 1000;

constexpr std::string_view binaryFileProblem = "binary or UTF-16 file, expected UTF-8 text";
// A comma inside a number splits it into two fields or makes it text; say what to write instead.
constexpr std::string_view decimalCommaHint =
    "decimal comma? numbers need a decimal point: write 1.5, not 1,5";

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::string columnPrefix(std::size_t zeroBasedColumn) {
    return "column " + std::to_string(zeroBasedColumn + 1) + ": ";
}

enum class NumberStatus { Finite, NotFinite, OutOfRange, NotANumber };

NumberStatus parseNumber(std::string_view text, double& value) {
    text = trimmed(text);
    // from_chars follows the C locale grammar, which has no leading '+'; spreadsheets do write it.
    if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+')
        text.remove_prefix(1);
    if (text.empty())
        return NumberStatus::NotANumber;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (end != text.data() + text.size() || error == std::errc::invalid_argument)
        return NumberStatus::NotANumber;
    if (error == std::errc::result_out_of_range)
        return NumberStatus::OutOfRange;
    return std::isfinite(value) ? NumberStatus::Finite : NumberStatus::NotFinite;
}

bool looksLikeDecimalComma(std::string_view text) {
    text = trimmed(text);
    const auto comma = text.find(',');
    if (comma == std::string_view::npos || comma == 0 || comma + 1 >= text.size())
        return false;
    double ignored = 0;
    const std::string withPoint =
        std::string(text.substr(0, comma)) + "." + std::string(text.substr(comma + 1));
    return parseNumber(withPoint, ignored) == NumberStatus::Finite;
}

// Splits one line on ',' honouring RFC 4180 quotes, so that a quoted header name may contain commas.
class LineSplitter {
public:
    LineSplitter(const std::string& path, std::size_t lineNumber)
        : path_(path)
        , lineNumber_(lineNumber) {}

    void split(std::string_view line, std::vector<std::string>& fields) const {
        fields.clear();
        std::size_t position = 0;
        while (true) {
            std::string field;
            while (position < line.size() && (line[position] == ' ' || line[position] == '\t'))
                ++position;
            if (position < line.size() && line[position] == '"') {
                position = readQuoted(line, position + 1, fields.size(), field);
                while (position < line.size() && (line[position] == ' ' || line[position] == '\t'))
                    ++position;
                if (position < line.size() && line[position] != ',')
                    fail(columnPrefix(fields.size()) + "unexpected text after the closing quote");
            } else {
                const std::size_t comma = std::min(line.find(',', position), line.size());
                field = trimmed(line.substr(position, comma - position));
                position = comma;
            }
            fields.push_back(std::move(field));
            if (position >= line.size())
                return;
            ++position; // past the ','; a ',' at the very end leaves one more (empty) field
        }
    }

private:
    std::size_t readQuoted(std::string_view line, std::size_t position, std::size_t column,
                           std::string& text) const {
        while (position < line.size()) {
            if (line[position] != '"') {
                text += line[position++];
            } else if (position + 1 < line.size() && line[position + 1] == '"') {
                text += '"';
                position += 2;
            } else {
                return position + 1;
            }
        }
        fail(columnPrefix(column) + "quoted field is not closed on this line");
    }

    [[noreturn]] void fail(const std::string& problem) const { throw DataError(path_, lineNumber_, problem); }

    const std::string& path_;
    std::size_t lineNumber_;
};

std::string readWholeFile(const std::string& path) {
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (status.type() == fs::file_type::not_found)
        throw DataError(path, "no such file");
    if (error)
        throw DataError(path, "cannot access: " + error.message());
    if (fs::is_directory(status))
        throw DataError(path, "is a directory, expected a CSV file");
    const std::uintmax_t size = fs::file_size(path, error);
    if (error)
        throw DataError(path, "cannot determine the file size: " + error.message());
    if (size > maxFileBytes)
        throw DataError(path,
                        "file is " + std::to_string(size) + " bytes; files larger than 1 GiB are refused");

    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DataError(path, "cannot open: " + std::generic_category().message(errno));
    std::string content(static_cast<std::size_t>(size), '\0');
    in.read(content.data(), static_cast<std::streamsize>(size));
    content.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad())
        throw DataError(path, "read error");
    return content;
}

// Refuses encodings the line parser would misread, and returns the text without a UTF-8 BOM.
std::string_view checkedUtf8Text(const std::string& path, const std::string& content) {
    std::string_view text = content;
    if (text.starts_with("\xff\xfe") || text.starts_with("\xfe\xff"))
        throw DataError(path, std::string(binaryFileProblem));
    if (text.starts_with("\xef\xbb\xbf"))
        text.remove_prefix(3);
    const std::size_t nul = content.find('\0');
    if (nul != std::string::npos) {
        const auto line =
            1 + static_cast<std::size_t>(std::count(content.begin(), content.begin() + nul, '\n'));
        throw DataError(path, line, "NUL byte: " + std::string(binaryFileProblem));
    }
    return text;
}

std::string separatorHint(std::string_view field, std::string_view line) {
    if (field.find(';') != std::string_view::npos) {
        if (line.find(',') != std::string_view::npos)
            return " (';'-separated file with decimal commas? only ',' separators and '.' decimal points are "
                   "supported)";
        return " (';'-separated file? only ',' is supported as a separator)";
    }
    if (field.find('\t') != std::string_view::npos)
        return " (tab-separated file? only ',' is supported as a separator)";
    if (looksLikeDecimalComma(field))
        return std::string(" (") + std::string(decimalCommaHint) + ")";
    return {};
}

// "1,5;2,25;0": what a spreadsheet in a decimal-comma locale exports as "CSV".
bool isSemicolonSeparatedWithDecimalCommas(std::string_view line) {
    if (line.find(';') == std::string_view::npos || line.find(',') == std::string_view::npos)
        return false;
    std::size_t start = 0;
    while (start <= line.size()) {
        const std::size_t end = std::min(line.find(';', start), line.size());
        std::string part(trimmed(line.substr(start, end - start)));
        std::replace(part.begin(), part.end(), ',', '.');
        double ignored = 0;
        if (parseNumber(part, ignored) != NumberStatus::Finite)
            return false;
        start = end + 1;
    }
    return true;
}

struct ParsedRows {
    std::vector<double> features; // row-major
    std::vector<double> labels;
    std::size_t columnCount = 0;
    std::size_t rowCount = 0;
};

class CsvParser {
public:
    CsvParser(const std::string& path, const CsvOptions& options)
        : path_(path)
        , options_(options) {}

    ParsedRows parse(std::string_view text) {
        // Classic Mac OS ends lines with a bare CR: without this check the whole file would be one long
        // line and the user would see a puzzling "no data rows".
        const std::size_t firstCr = text.find('\r');
        if (text.find('\n') == std::string_view::npos && firstCr != std::string_view::npos &&
            !trimmed(text.substr(firstCr + 1)).empty())
            throw DataError(path_, 1,
                            "lines end in a bare CR (classic Mac OS line endings); save the file with LF or "
                            "CRLF line endings");
        std::size_t lineNumber = 0;
        std::size_t pendingBlankLine = 0; // first blank line not yet followed by content
        std::size_t lineStart = 0;
        while (lineStart < text.size()) {
            ++lineNumber;
            const std::size_t newline = std::min(text.find('\n', lineStart), text.size());
            std::string_view line = text.substr(lineStart, newline - lineStart);
            lineStart = newline + 1;
            if (line.size() > maxLineBytes)
                throw DataError(path_, lineNumber,
                                "line is " + std::to_string(line.size()) +
                                    " bytes long; lines over 1 MiB are refused");
            if (line.ends_with('\r'))
                line.remove_suffix(1);
            if (trimmed(line).empty()) {
                if (pendingBlankLine == 0)
                    pendingBlankLine = lineNumber;
                continue;
            }
            if (pendingBlankLine != 0)
                throw DataError(
                    path_, pendingBlankLine,
                    "blank line in the data (blank lines are only allowed at the end of the file)");
            if (!sawFirstLine_)
                parseFirstLine(line, lineNumber);
            else
                parseDataLine(line, lineNumber);
        }
        if (!sawFirstLine_)
            throw DataError(path_, "file is empty");
        if (rows_.rowCount == 0)
            throw DataError(path_, "no data rows (only a header line)");
        return std::move(rows_);
    }

private:
    void parseFirstLine(std::string_view line, std::size_t lineNumber) {
        sawFirstLine_ = true;
        LineSplitter(path_, lineNumber).split(line, fields_);
        if (fields_.size() == 1) {
            for (const char separator : {';', '\t'})
                if (line.find(separator) != std::string_view::npos)
                    throw DataError(path_, lineNumber,
                                    std::string("no ',' in the first line but it contains ") +
                                        (separator == ';' ? "';'" : "tabs") +
                                        ": only comma-separated files are supported");
            throw DataError(path_, lineNumber,
                            "only 1 column; need at least one feature column and a label column");
        }
        if (isSemicolonSeparatedWithDecimalCommas(line))
            throw DataError(
                path_, lineNumber,
                "looks like ';'-separated numbers with decimal commas: only ',' separators and '.' "
                "decimal points are supported");
        rows_.columnCount = fields_.size();
        const auto columnCount = static_cast<long long>(rows_.columnCount);
        if (options_.labelColumn < -1 || options_.labelColumn >= columnCount)
            throw DataError(path_, lineNumber,
                            "label column " + std::to_string(options_.labelColumn) +
                                " (0-based) is out of range: the file has " + std::to_string(columnCount) +
                                " columns");
        labelColumn_ = options_.labelColumn == -1 ? rows_.columnCount - 1
                                                  : static_cast<std::size_t>(options_.labelColumn);

        const bool isHeader = std::any_of(fields_.begin(), fields_.end(), [](const std::string& field) {
            double ignored = 0;
            return parseNumber(field, ignored) == NumberStatus::NotANumber;
        });
        if (!isHeader)
            parseDataLine(line, lineNumber);
    }

    void parseDataLine(std::string_view line, std::size_t lineNumber) {
        LineSplitter(path_, lineNumber).split(line, fields_);
        if (fields_.size() != rows_.columnCount) {
            std::string problem = "expected " + std::to_string(rows_.columnCount) + " fields, found " +
                                  std::to_string(fields_.size());
            if (fields_.size() > rows_.columnCount)
                problem += " (" + std::string(decimalCommaHint) + ")";
            else if (line.find(';') != std::string_view::npos)
                problem += " (';' as separator? only ',' is supported)";
            else if (line.find('\t') != std::string_view::npos)
                problem += " (tabs as separator? only ',' is supported)";
            throw DataError(path_, lineNumber, problem);
        }
        try {
            for (std::size_t column = 0; column < fields_.size(); ++column) {
                const double value = parseCell(fields_[column], column, line, lineNumber);
                if (column == labelColumn_)
                    addLabel(value, fields_[column], lineNumber);
                else
                    rows_.features.push_back(value);
            }
        } catch (const std::bad_alloc&) {
            throw DataError(path_, lineNumber, "not enough memory to hold the data");
        }
        ++rows_.rowCount;
    }

    double parseCell(const std::string& field, std::size_t column, std::string_view line,
                     std::size_t lineNumber) const {
        double value = 0;
        switch (parseNumber(field, value)) {
        case NumberStatus::Finite:
            return value;
        case NumberStatus::NotFinite:
            throw DataError(path_, lineNumber,
                            columnPrefix(column) + DataError::quoted(field) + " is not a finite number");
        case NumberStatus::OutOfRange:
            throw DataError(path_, lineNumber,
                            columnPrefix(column) + DataError::quoted(field) +
                                " is out of the range of a double");
        case NumberStatus::NotANumber:
            break;
        }
        if (trimmed(field).empty())
            throw DataError(path_, lineNumber, columnPrefix(column) + "empty field (missing value?)");
        throw DataError(path_, lineNumber,
                        columnPrefix(column) + DataError::quoted(field) + " is not a number" +
                            separatorHint(field, line));
    }

    void addLabel(double value, const std::string& text, std::size_t lineNumber) {
        if (options_.task == CsvOptions::Task::Classification &&
            (value != std::floor(value) || value < 0 || value > maxExplicitClassLabel))
            throw DataError(path_, lineNumber,
                            columnPrefix(labelColumn_) + "label " + DataError::quoted(text) +
                                " is not a class index (classification labels must be integers from 0 to " +
                                std::to_string(static_cast<int>(maxExplicitClassLabel)) + ")");
        rows_.labels.push_back(value);
    }

    const std::string& path_;
    const CsvOptions& options_;
    ParsedRows rows_;
    std::vector<std::string> fields_; // reused across lines to avoid reallocating per row
    std::size_t labelColumn_ = 0;
    bool sawFirstLine_ = false;
};

bool allAreClassIndices(const std::vector<double>& labels) {
    return std::all_of(labels.begin(), labels.end(), [](double label) {
        return label == std::floor(label) && label >= 0 && label < autoClassificationLabelLimit;
    });
}

} // namespace

Dataset loadCsv(const std::string& path, const CsvOptions& options) {
    const std::string content = readWholeFile(path);
    const ParsedRows rows = CsvParser(path, options).parse(checkedUtf8Text(path, content));

    const auto rowCount = static_cast<Eigen::Index>(rows.rowCount);
    const auto featureCount = static_cast<Eigen::Index>(rows.columnCount - 1);
    using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

    Dataset dataset;
    dataset.name = fs::path(path).stem().string();
    dataset.features = Eigen::Map<const RowMajorMatrix>(rows.features.data(), rowCount, featureCount);

    const bool isClassification = options.task == CsvOptions::Task::Classification ||
                                  (options.task == CsvOptions::Task::Auto && allAreClassIndices(rows.labels));
    if (!isClassification) {
        dataset.task = TaskKind::Regression;
        dataset.classCount = 0;
        dataset.values = Eigen::Map<const Eigen::VectorXd>(rows.labels.data(), rowCount);
        return dataset;
    }

    dataset.task = TaskKind::Classification;
    dataset.labels = Eigen::Map<const Eigen::VectorXd>(rows.labels.data(), rowCount).cast<int>();
    const int smallestLabel = dataset.labels.minCoeff();
    const int largestLabel = dataset.labels.maxCoeff();
    if (smallestLabel == largestLabel)
        throw DataError(path, "only one class (label " + std::to_string(smallestLabel) +
                                  ") in file; classification needs at least two");
    dataset.classCount = largestLabel + 1;
    return dataset;
}

} // namespace ntk
