#pragma once
// The runs of a scene finished so far, in scene order (partial while a sweep is running): what the scene
// plots draw.
#include "scene.h"
#include "sweep_runner.h"

#include <vector>

namespace ntk {

struct SceneResults {
    Scene scene;
    std::vector<RunResult> runs; // sorted by index
    void add(RunResult result);
};

} // namespace ntk
