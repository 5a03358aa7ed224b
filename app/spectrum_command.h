#pragma once
#include <QStringList>

// `ntkviz-cli spectrum ...`: the NTK spectrum of a network at initialization, without training (see
// runtime/run/network_spectrum.h); returns the exit code (0 done, 2 bad flags or input).
int runSpectrumCommand(const QStringList& arguments);
