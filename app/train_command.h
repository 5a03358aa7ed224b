#pragma once
#include <QStringList>

// `ntkviz-cli train ...`: returns the process exit code (0 done, 2 bad flags or input).
int runTrainCommand(const QStringList& arguments);
