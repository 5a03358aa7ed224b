#pragma once
// How far a long kernel solve of the current NTK epoch has come, for a window to show while the epoch is
// still running (at n = 60,000 one matrix-free epoch takes most of a minute). Written by the trainer's
// thread, read by any: plain atomics, nothing waits on them.
#include <atomic>

namespace ntk {

struct SolveProgress {
    enum Stage { Idle, Kernel, Lanczos, Density };
    std::atomic<int> stage{Idle};
    std::atomic<int> epoch{-1};
    // Operator products done and expected in this stage (expected 0: unknown, as for a dense build).
    std::atomic<long long> done{0}, expected{0};

    void begin(Stage s, int atEpoch, long long expectedProducts) {
        done.store(0);
        expected.store(expectedProducts);
        epoch.store(atEpoch);
        stage.store(s);
    }
    void end() { stage.store(Idle); }
};

} // namespace ntk
