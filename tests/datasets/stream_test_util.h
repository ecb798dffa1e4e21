// Helpers shared by the dataset stream tests: draining a stream, and fixture folders.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "datasets/source_spec.h"

namespace clippo::datasets::testing {

// Reads up to `limit` examples and returns `field(example)` for each.
template <class Example, class Field>
std::vector<std::string> drain(ExampleStream<Example>& stream, Field field, size_t limit = 100000) {
  std::vector<std::string> out;
  Example e;
  while (out.size() < limit && stream.next(e)) out.push_back(field(e));
  return out;
}

inline std::string key_of(const ImageTextExample& e) { return e.key; }
inline std::string caption_of(const ImageTextExample& e) { return e.caption; }

// Whether any skip reason contains all of `needles`.
inline bool has_reason(const ReadCounts& counts, const std::vector<std::string>& needles) {
  for (const std::string& reason : counts.skip_reasons) {
    bool all = true;
    for (const std::string& n : needles) all = all && reason.find(n) != std::string::npos;
    if (all) return true;
  }
  return false;
}

inline std::string reasons_of(const ReadCounts& counts) {
  std::string out;
  for (const std::string& r : counts.skip_reasons) out += "  " + r + "\n";
  return out;
}

// Runs `f`, expecting a clippo::Error with `code` whose message contains `needle`.
template <class F>
void expect_error(F f, ErrorCode code, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace clippo::datasets::testing
