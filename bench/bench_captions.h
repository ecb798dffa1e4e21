// A fixed mixed-script caption set for benchmarks: short image captions in many scripts.
#pragma once

#include <string>
#include <vector>

namespace clippo::bench {

const std::vector<std::string>& mixed_script_captions();

}  // namespace clippo::bench
