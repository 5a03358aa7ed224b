#pragma once

namespace ntk {

// Precision of the products that build the kernel; the kernel itself, its spectrum and everything after
// it stay in double. Single precision runs the same products about twice as fast (twice the SIMD lanes,
// half the memory traffic) with a relative error near 1e-7 per entry, which moves each eigenvalue by
// about 1e-7 x lambda_max (|d lambda| <= ||dK||_2): invisible on the plots, measured by ntkviz-bench.
enum class KernelPrecision { Double, Single };

// Below this share of lambda_max, eigenvalues of a single-precision kernel are its round-off, not the
// network's: about twice the unit round-off 2^-24, above the errors ntkviz-bench measures (3.5e-8 x
// lambda_max at n = 2000, 4.3e-8 at n = 100), where the double spectrum can go on to 1e-15.
constexpr double singlePrecisionEigenvalueFloor = 1e-7;

// The share of lambda_max below which a kernel's eigenvalues are round-off (0: only those <= 0 are).
constexpr double roundOffFloor(KernelPrecision precision) {
    return precision == KernelPrecision::Single ? singlePrecisionEigenvalueFloor : 0.0;
}

} // namespace ntk
