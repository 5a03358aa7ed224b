#include "memory_policy.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ntk {

void reuseFreedMemory() {
#if defined(__GLIBC__)
    // No block from mmap (glibc caps the mmap threshold at 32 MiB, below an n = 2048 kernel), and no
    // trimming of the heap's free top: freed kernels stay mapped for the next epoch. A thread's arena that
    // cannot hold a block retries in the main arena, so large blocks still succeed.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
}

} // namespace ntk
