#include "command_line.h"

#include "message_text.h"

#include <QTextStream>

int failCommand(const QString& message) {
    QTextStream(stderr) << "ntkviz-cli: " << ntk::singleLineMessage(message) << Qt::endl;
    return 2;
}

std::optional<int> parseCommandLine(QCommandLineParser& parser, const QStringList& arguments,
                                    bool positionalAllowed) {
    if (!parser.parse(arguments))
        return failCommand(parser.errorText());
    // --help, and --help-all with Qt's own options as well: the parser prints them and exits 0.
    if (parser.isSet("help") || parser.isSet("help-all")) {
        parser.process(arguments);
        return 0;
    }
    if (!positionalAllowed && !parser.positionalArguments().isEmpty())
        return failCommand("unexpected argument " +
                           ntk::quotedForMessage(parser.positionalArguments().first()));
    return std::nullopt;
}
