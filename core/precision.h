#pragma once

namespace ntk {

// Precision of the products that build the kernel; the kernel itself, its spectrum and everything after
// it stay in double. Single precision runs the same products about twice as fast (twice the SIMD lanes,
// half the memory traffic) with a relative error near 1e-7 per entry, which moves each eigenvalue by
// about 1e-7 x lambda_max (|d lambda| <= ||dK||_2): invisible on the plots, measured by ntkviz-bench.
enum class KernelPrecision { Double, Single };

} // namespace ntk
