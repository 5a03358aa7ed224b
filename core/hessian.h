#pragma once
// Curvature of the training objective J(theta) = L(f(X; theta)) + penalty(theta), as products with a
// direction v in parameter space, never as a P x P matrix:
//   H v  the Hessian of J: exact, by Pearlmutter's R-operator (one forward pass that carries the
//        directional derivatives R{z_l} of the pre-activations beside z_l, then one backward pass that
//        carries R{delta_l} beside delta_l), about the cost of two gradients. The L2 penalty adds 2 l2 v on
//        the penalized parameters; L1's Hessian is zero almost everywhere, and so is ReLU's second
//        derivative.
//   G v  the Gauss-Newton matrix J_f^T H_L J_f of the data loss (H_L: the loss's Hessian in the outputs,
//        I/(nO) for MSE, (diag p - p p^T)/n per point for cross-entropy): the R-forward pass, then a plain
//        backward pass. Its nonzero eigenvalues are those of H_L^(1/2) Theta_full H_L^(1/2), with Theta_full
//        the nO x nO NTK: for MSE, the NTK's eigenvalues divided by nO.
// Directions and products are LayerSets shaped like the model's parameters (raw, unscaled: the ones the
// optimizer steps), so under the NTK parameterization the scale factors c_w, c_b enter as in the gradient.
#include "cancel.h"
#include "mlp.h"
#include "optimizer.h"
#include "spectrum.h"

#include <Eigen/Dense>

namespace ntk {

// The objective whose curvature is asked for: the loss on the forward pass's points and its targets
// (n x outputs: one-hot rows for cross-entropy), and the penalties.
struct CurvatureObjective {
    LossKind loss = LossKind::Mse;
    const Eigen::MatrixXd* targets = nullptr;
    PenaltySettings penalties;
};

LayerSet hessianVectorProduct(const Mlp& model, const ForwardCache& cache,
                              const CurvatureObjective& objective, const LayerSet& direction);
LayerSet gaussNewtonVectorProduct(const Mlp& model, const ForwardCache& cache,
                                  const CurvatureObjective& objective, const LayerSet& direction);

enum class CurvatureMatrix { Hessian, GaussNewton };

// Where a solve starts: the leading eigenvectors (flat, in parameter order) of an earlier solve. Between
// two curvature epochs the parameters move a few steps and these directions little; started from them,
// Lanczos needs fewer products. Empty (or of the wrong size): Spectra's own start.
struct CurvatureStart {
    Eigen::VectorXd top, bottom;
};

struct CurvatureExtremes {
    SpectrumStatus status = SpectrumStatus::Empty; // NotConverged: Lanczos did not reach the tolerance
    Eigen::VectorXd largest;                       // descending
    Eigen::VectorXd smallest;                      // ascending (empty unless asked for)
    // |A v - lambda v| / max(|lambda|, |lambda_max|) of each pair, largest then smallest
    Eigen::VectorXd residuals;
    long long products = 0; // curvature products, the residual check included
    CurvatureStart vectors; // the eigenvectors of largest(0) and smallest(0), to start the next solve from
    bool ok() const { return status == SpectrumStatus::Ok; }
};

// The `largest` largest and `smallest` smallest (algebraic) eigenvalues of H or G at the model's
// parameters, by Lanczos (Spectra's SymEigsSolver) to a tolerance relative to the spectrum's width (the
// smallest are found on H - lambda_max I), each checked by its residual.
// Requires 1 <= largest and largest + smallest < P (the parameter count). Throws Cancelled.
CurvatureExtremes curvatureExtremes(const Mlp& model, const ForwardCache& cache,
                                    const CurvatureObjective& objective, CurvatureMatrix matrix, int largest,
                                    int smallest = 0, double tolerance = 1e-10, CancelFlag cancel = nullptr,
                                    const CurvatureStart& start = {});

// The sharpness an optimizer with a diagonal preconditioner P sees (Adam: Optimizer::adamPreconditioner):
// the largest eigenvalue of P^-1 H, found as that of the symmetric P^-1/2 H P^-1/2, which has the same
// spectrum. P must be shaped like the parameters and positive. `largest` holds the one eigenvalue.
CurvatureExtremes preconditionedSharpness(const Mlp& model, const ForwardCache& cache,
                                          const CurvatureObjective& objective, const LayerSet& preconditioner,
                                          double tolerance = 1e-10, CancelFlag cancel = nullptr,
                                          const CurvatureStart& start = {});

} // namespace ntk
