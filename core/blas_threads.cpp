#include "blas_threads.h"

#include <dlfcn.h>

namespace ntk {

namespace {

// Looked up at run time: Debian's alternatives may resolve libblas.so.3 to a BLAS without these calls.
using SetThreadsFn = void (*)(int);
using GetThreadsFn = int (*)();

GetThreadsFn getter() {
    static const auto get = reinterpret_cast<GetThreadsFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    return get;
}

SetThreadsFn setter() {
    static const auto set = reinterpret_cast<SetThreadsFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    return set;
}

} // namespace

int blasThreads() {
    return getter() ? getter()() : 0;
}

int defaultBlasThreads() {
    static const int initial = blasThreads(); // read before anyone changes it: the first call is early
    return initial;
}

void setBlasThreads(int threads) {
    defaultBlasThreads();
    if (setter() && threads > 0 && threads != blasThreads())
        setter()(threads);
}

double kernelBuildWork(const RunConfig& config, int trainSize, int inputDim, int outputs) {
    const double n = trainSize, w = config.width, o = outputs, depth = config.depth;
    const double grams = n * n * (double(inputDim) + (depth - 1.0) * w);
    const double signals = n * n * w * (1.0 + (depth - 1.0) * o);
    const double descents = (depth - 1.0) * n * o * w * w;
    return grams + signals + descents;
}

int preferredBlasThreads(const RunConfig& config, int trainSize, int inputDim, int outputs) {
    constexpr double smallKernelWork = 1e9;
    if (kernelBuildWork(config, trainSize, inputDim, outputs) < smallKernelWork)
        return 1;
    return defaultBlasThreads() > 0 ? defaultBlasThreads() : 1;
}

} // namespace ntk
