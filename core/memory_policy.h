#pragma once
// How freed memory is handled, set once at program start by every entry point (app, command line,
// benchmark). Each NTK epoch allocates and frees kernels and signals of tens of megabytes; by default glibc
// hands blocks that large straight back to the system and faults them in again on the next epoch (about
// 90,000 page faults per n = 2000 kernel build, a third of its time). Keeping them in the heap makes every
// epoch after the first reuse warm memory; the resident size stays at the run's high-water mark.
namespace ntk {

void reuseFreedMemory();

} // namespace ntk
