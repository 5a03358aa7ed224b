#pragma once
// What Linux says of this process's memory and the machine's (from /proc; 0 where it is not there).

namespace ntk {

// Peak resident memory of this process so far (VmHWM), in bytes.
double peakResidentBytes();
// Memory the kernel could give without swapping (MemAvailable), in bytes.
double availableMemoryBytes();

} // namespace ntk
