#pragma once
// The thread count of the BLAS behind Eigen's products (OpenBLAS on Debian), for the whole process.
//
// Two threads halve the time of a large kernel build, but for the small kernels of a lecture demo the
// threads' start-up and synchronization cost more than they save: measured in one bench run at
// n = 200, w = 128 (one epoch with its NTK and full spectrum), 177 epochs/s on one thread against 146 on
// two. Sweeps that already run one training per core want one BLAS thread each.
#include "config.h"

namespace ntk {

// 0 when the BLAS offers no control (not OpenBLAS).
int blasThreads();
// Sets the count for every later BLAS call in the process; a no-op without OpenBLAS.
void setBlasThreads(int threads);
// The count OpenBLAS chose at start-up (its default: one per core).
int defaultBlasThreads();

// Multiply-adds of one kernel build of this shape (the dominant products).
double kernelBuildWork(const RunConfig& config, int trainSize, int inputDim, int outputs);
// One thread below about 10^9 multiply-adds per kernel build, else the default.
int preferredBlasThreads(const RunConfig& config, int trainSize, int inputDim, int outputs);

} // namespace ntk
