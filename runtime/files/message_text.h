#pragma once
// User text inside one-line error messages, for the Qt layer. The quoting rules are those of
// ntk::DataError::quoted (control bytes as \xNN, '"' and '\' escaped, at most 40 bytes), so a message
// reads the same whether it came from a data file, a config file or a command-line flag.
#include "data_error.h"

#include <QString>

namespace ntk {

inline QString quotedForMessage(const QString& text) {
    return QString::fromStdString(DataError::quoted(text.toStdString()));
}

// A last guard where a message is printed: texts we do not build ourselves (QCommandLineParser's
// "Unknown option '...'", a file name from the command line) may carry user control characters too.
// Each becomes \xNN, so the message stays one line and nothing is lost.
inline QString singleLineMessage(const QString& message) {
    QString out;
    out.reserve(message.size());
    for (const QChar c : message) {
        const char16_t code = c.unicode();
        if (code < 0x20 || code == 0x7f)
            out += QString("\\x%1").arg(int(code), 2, 16, QChar('0'));
        else
            out += c;
    }
    return out;
}

} // namespace ntk
