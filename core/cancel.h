#pragma once
#include <atomic>
#include <stdexcept>

namespace ntk {

// Thrown from inside long computations when the caller's cancel flag is set, so a replaced run unwinds at
// the next checkpoint instead of finishing work nobody will look at.
struct Cancelled : std::runtime_error {
    Cancelled()
        : std::runtime_error("cancelled") {}
};

using CancelFlag = const std::atomic<bool>*;

inline void throwIfCancelled(CancelFlag flag) {
    if (flag && flag->load(std::memory_order_relaxed))
        throw Cancelled();
}

} // namespace ntk
