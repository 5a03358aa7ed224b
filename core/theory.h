#pragma once
// Closed-form predictions of the linearized (lazy) network, for the overlays drawn next to measurements.
//
// Conventions. The kernel the app shows is summed over the O outputs, K = sum_k J_k J_k^T (n x n). Gradient
// descent acts on the full kernel Theta (nO x nO, blocks J_k J_l^T). When the outputs are decoupled
// (Theta = I_O (x) K_out, which the infinite-width limit gives exactly and wide networks nearly), each
// output evolves under the per-output kernel K_out = K / O. Every formula below is written for that
// per-output eigenvalue kappa = lambda / O, with the losses of core/loss.h:
//   mse: L = 1/(2nO) sum ||f - y||^2   -> one step maps the residual r to (I - lr K_out / (nO)) r
//   cross-entropy, mean over n: near uniform predictions its curvature on centred logits is 1/(nO), so
//   early in training it follows the same map; in general the softmax curvature is at most 1/(2n).
#include "config.h"

#include <Eigen/Dense>
#include <vector>

namespace ntk {

// Whether the run trains by plain full-batch gradient descent without L1, the dynamics the linearized
// formulas describe (L2 and weight decay only shrink them; see LinearizedModel).
bool linearizedDynamicsApply(const RunConfig& config, int trainSize);

// Per-output eigenvalue kappa for an eigenvalue of the output-summed kernel.
inline double perOutputEigenvalue(double summedEigenvalue, int outputs) {
    return summedEigenvalue / double(outputs);
}

// The largest eigenvalue of the output-summed kernel for which gradient descent on the linearized network
// is stable, O times the per-output edge: mse kappa < 2nO/lr, so lambda < 2nO^2/lr; cross-entropy
// kappa < 4n/lr (a guarantee: the softmax curvature is at most 1/(2n)), so lambda < 4nO/lr.
// For mse the line is rigorous in one direction for any network: lambda_max(Theta) >= lambda_max(K)/O, so
// beyond it the linearized step is unstable. Throws std::invalid_argument unless n, outputs, lr > 0.
double stabilityEdge(LossKind loss, int n, int outputs, double learningRate);

// The NTK's largest eigenvalue in the units of the training objective's curvature: lambda_max(K) times
// this is lambda_max(K) / (nO^2) for mse, a lower bound on the Gauss-Newton matrix's lambda_max (equal to
// it with one output, or decoupled outputs), and lambda_max(K) / (2nO) for cross-entropy, the bound from
// the softmax curvature. So stabilityEdge times it is 2/lr for both.
double kernelCurvatureScale(LossKind loss, int n, int outputs);

// Where gradient descent's sharpness (lambda_max of the objective's Hessian) stops being stable on a
// quadratic: 2/lr for plain steps, (2 + 2 beta)/lr for heavy-ball momentum v = beta v + g, and for Adam
// (first-moment decay beta1) (2 + 2 beta1)/((1 - beta1) lr), which bounds the preconditioned sharpness
// lambda_max(P^-1 H) rather than the raw one (Cohen et al. 2022). Gradient descent's 2/lr comes first.
struct SharpnessThreshold {
    enum class Kind { GradientDescent, HeavyBall, Adam } kind;
    double value;
};
std::vector<SharpnessThreshold> sharpnessThresholds(OptimizerKind optimizer, double learningRate,
                                                    double momentum);

// |1 - lr kappa/(nO)|^t: the factor by which t full-batch gradient steps shrink the residual's component
// along an eigenvector of the kernel (mse; cross-entropy while predictions are near uniform).
double linearizedDecay(double summedEigenvalue, double learningRate, int n, int outputs, int epoch);

// The share of the target along an eigenvector that t steps of gradient descent have fitted,
// 1 - |1 - lr kappa/(nO)|^t (in magnitude, as measured), and the share that ridge regression with penalty l2
// * |theta|^2 on the displacement from initialization fits, kappa / (kappa + 2 n O l2).
double earlyStoppingFilter(double summedEigenvalue, double learningRate, int n, int outputs, int epoch);
double ridgeFilter(double summedEigenvalue, double l2, int n, int outputs);

// Eigenvector indices (0-based, descending eigenvalue) followed in the spectral-bias view: 1, 3, 10, 30,
// ... up to n, so a lecture sees fast and slow directions without a forest of lines.
std::vector<int> spectralBiasDirections(int n);

// The residual the linearized dynamics act on, from the loss gradient with respect to the outputs:
// mse (f - y) = nO * dL/df; cross-entropy (softmax(f) - y) = n * dL/df.
double residualScale(LossKind loss, int n, int outputs);

// Energy of `residual` (n x O) along each column of `eigenvectors` (n x m), summed over outputs.
Eigen::VectorXd energyAlong(const Eigen::MatrixXd& eigenvectors, const Eigen::MatrixXd& residual);

} // namespace ntk
