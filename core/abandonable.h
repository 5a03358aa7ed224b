#pragma once
// Uninterruptible work that a cancelled caller need not wait for.
//
// LAPACK's dense eigen-solver has no cancel check: at n = 2000 it runs for about half a second, and a run
// replaced by a new setting would hold its thread (and the new run's first frame) for the rest of it.
// runAbandonable runs such work on a helper thread and waits for it while polling the cancel flag; when
// the flag is raised first it throws Cancelled at once and leaves the helper to finish on its own, its
// result dropped. The work must own (or share) everything it touches, since the caller's frame is gone by
// the time an abandoned helper ends.
#include "cancel.h"

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>

namespace ntk {

namespace detail {
// Keeps an abandoned helper's thread until it has ended, then joins it (at the next call, in
// joinAbandonedWork, or when the process exits).
void keepAbandoned(std::thread thread, std::shared_ptr<std::atomic<bool>> finished);
} // namespace detail

// Waits until every abandoned helper has ended. A program calls it before it exits, inside whatever bounds
// its exit time (the window's shutdown deadline), so no helper is still inside LAPACK while the process's
// libraries are torn down.
void joinAbandonedWork();
// Helpers abandoned and not yet ended (for tests).
int abandonedWorkRunning();

// Runs `work()` and returns its result. Without a cancel flag it runs in the calling thread.
template <class Work> auto runAbandonable(CancelFlag cancel, Work work) -> decltype(work()) {
    using Result = decltype(work());
    if (!cancel)
        return work();
    throwIfCancelled(cancel);
    auto finished = std::make_shared<std::atomic<bool>>(false);
    std::packaged_task<Result()> task(std::move(work));
    std::future<Result> result = task.get_future();
    std::thread helper([task = std::move(task), finished]() mutable {
        task();
        finished->store(true);
    });
    constexpr auto poll = std::chrono::milliseconds(5);
    while (result.wait_for(poll) != std::future_status::ready) {
        if (cancel->load(std::memory_order_relaxed)) {
            detail::keepAbandoned(std::move(helper), std::move(finished));
            throw Cancelled();
        }
    }
    helper.join();
    return result.get();
}

} // namespace ntk
