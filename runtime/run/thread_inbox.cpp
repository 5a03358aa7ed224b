#include "thread_inbox.h"

#include <utility>

namespace ntk {

void ThreadInbox::post(std::function<void()> task) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(task));
        wake = !std::exchange(wakePending_, true);
    }
    // One wake-up per burst: everything posted before runPosted() takes the queue runs in that call.
    if (wake)
        QMetaObject::invokeMethod(this, "runPosted", Qt::QueuedConnection);
}

void ThreadInbox::runPosted() {
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(mutex_);
        tasks.swap(tasks_);
        wakePending_ = false;
    }
    for (auto& task : tasks)
        task();
}

} // namespace ntk
