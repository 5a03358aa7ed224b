#pragma once
// The empirical neural tangent kernel Theta_ij = sum_k grad f_k(x_i) . grad f_k(x_j), computed layer by
// layer:
//   Theta = sum_l (sum_k D_lk D_lk^T) o (c_w(l)^2 A_{l-1} A_{l-1}^T + c_b^2 1 1^T)
// where D_lk = d f_k / d z_l (n x fan_out) are back-propagated signals and A_{l-1} the layer inputs.
// The n x P Jacobian is never formed; explicitJacobianNtk() does form it and exists only as a test reference.
#include "cancel.h"
#include "mlp.h"
#include "precision.h"

#include <Eigen/Dense>
#include <vector>

namespace ntk {

struct NtkOptions {
    CancelFlag cancel = nullptr;
    // x x^T of the inputs, if the caller caches it across epochs (the inputs do not change during training).
    const Eigen::MatrixXd* inputGram = nullptr;
    // Columns per block of the blocked build used for large n (its working memory is O(n x block), not
    // n x n); 0 chooses: whole-matrix symmetric updates up to n = 1024, blocks of 256 above; negative
    // forces the whole-matrix build. Tests set a
    // small value to check the blocked path on small kernels.
    int blockColumns = 0;
    // Bytes of back-propagated signals the blocked build holds at once (0: 256 MiB); beyond it the
    // outputs are taken in groups. Tests set a tiny value to check the grouping.
    double signalBudgetBytes = 0.0;
    KernelPrecision precision = KernelPrecision::Double; // the kernel is returned in double
};

// n x n, symmetric, summed over outputs; `cache` is a forward pass of `model` over the points.
Eigen::MatrixXd empiricalNtk(const Mlp& model, const ForwardCache& cache, const NtkOptions& options = {});
Eigen::MatrixXd empiricalNtk(const Mlp& model, const Eigen::MatrixXd& x, const NtkOptions& options = {});
// n_a x n_b cross kernel between two point sets (for example train x test).
Eigen::MatrixXd empiricalNtkCross(const Mlp& model, const ForwardCache& a, const ForwardCache& b,
                                  CancelFlag cancel = nullptr);
// One n x n kernel per output k: sum_l (D_lk D_lk^T) o G_l. Their sum is empiricalNtk().
std::vector<Eigen::MatrixXd> empiricalNtkPerOutput(const Mlp& model, const ForwardCache& cache,
                                                   CancelFlag cancel = nullptr);

// Test reference: the per-output Jacobian rows (n x P, parameters ordered as Mlp::flatParameters()).
Eigen::MatrixXd explicitJacobian(const Mlp& model, const Eigen::MatrixXd& x, int output);
Eigen::MatrixXd explicitJacobianNtk(const Mlp& model, const Eigen::MatrixXd& x);

} // namespace ntk
