// SceneResults: a scene's finished runs, kept in scene order (see scene_results.h).
#include "scene_results.h"

#include <algorithm>

namespace ntk {

void SceneResults::add(RunResult result) {
    auto at = std::lower_bound(runs.begin(), runs.end(), result.index,
                               [](const RunResult& r, int index) { return r.index < index; });
    runs.insert(at, std::move(result));
}

} // namespace ntk
