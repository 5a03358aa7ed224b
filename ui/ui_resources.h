#pragma once
// The ui library's compiled-in files (resources/resources.qrc: the help page and the icon). A static
// library's resources are registered only when something asks for them, so every user of ":/help.html" or
// ":/ntkviz.svg" calls this first; repeated calls are harmless.
namespace ntk {

void registerUiResources();

} // namespace ntk
