#include "abandonable.h"

#include <mutex>
#include <vector>

namespace ntk {
namespace {

struct Abandoned {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
};

class AbandonedHelpers {
public:
    ~AbandonedHelpers() { joinAll(); }

    void add(Abandoned helper) {
        std::vector<Abandoned> ended;
        {
            const std::lock_guard lock(mutex_);
            takeEnded(ended);
            helpers_.push_back(std::move(helper));
        }
        for (Abandoned& h : ended)
            h.thread.join();
    }

    void joinAll() {
        std::vector<Abandoned> all;
        {
            const std::lock_guard lock(mutex_);
            all.swap(helpers_);
        }
        for (Abandoned& h : all)
            h.thread.join();
    }

    int running() {
        const std::lock_guard lock(mutex_);
        int count = 0;
        for (const Abandoned& h : helpers_)
            count += h.finished->load() ? 0 : 1;
        return count;
    }

private:
    // Moves the helpers that have ended out of the list (joined by the caller, outside the lock).
    void takeEnded(std::vector<Abandoned>& ended) {
        for (auto it = helpers_.begin(); it != helpers_.end();) {
            if (it->finished->load()) {
                ended.push_back(std::move(*it));
                it = helpers_.erase(it);
            } else {
                ++it;
            }
        }
    }

    std::mutex mutex_;
    std::vector<Abandoned> helpers_;
};

AbandonedHelpers& abandonedHelpers() {
    static AbandonedHelpers helpers;
    return helpers;
}

} // namespace

namespace detail {
void keepAbandoned(std::thread thread, std::shared_ptr<std::atomic<bool>> finished) {
    abandonedHelpers().add(Abandoned{std::move(thread), std::move(finished)});
}
} // namespace detail

void joinAbandonedWork() {
    abandonedHelpers().joinAll();
}

int abandonedWorkRunning() {
    return abandonedHelpers().running();
}

} // namespace ntk
