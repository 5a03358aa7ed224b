#include "data_source_cache.h"

#include <map>
#include <mutex>

namespace ntk {

std::shared_ptr<const DataSource> sharedDataSource(const RunConfig& config) {
    if (!isImageDataset(config.dataset))
        return std::make_shared<const DataSource>(loadSource(config));
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const DataSource>> cache;
    const std::string key = std::string(toString(config.dataset)) + '\n' + config.dataPath + '\n' +
                            (config.testSize > 0 ? "test" : "");
    std::lock_guard lock(mutex); // held while loading: a second sweep thread waits instead of loading twice
    auto& entry = cache[key];
    if (!entry)
        entry = std::make_shared<const DataSource>(loadSource(config));
    return entry;
}

} // namespace ntk
