#pragma once
#include <QStringList>

// `ntkviz-cli scene NAME|FILE --out DIR [--shard i/N] [--threads T]` and
// `ntkviz-cli merge DIR... --out DIR`: return the process exit code (0 done, 2 bad input).
int runSceneCommand(const QStringList& arguments);
int runMergeCommand(const QStringList& arguments);
