#pragma once
#include "mpi_session.h"

#include <QStringList>

// `ntkviz-cli spectrum ...`: the NTK spectrum of a network without training (see
// runtime/run/network_spectrum.h), split over the processes of `mpi` when there are several; returns the
// exit code (0 done, 2 bad flags or input).
int runSpectrumCommand(const QStringList& arguments, const ntk::MpiSession& mpi);
