// Where LibTorch's exceptions stop. Everything above core/ sees only clippo::Error, so a CUDA
// out-of-memory or a shape mismatch reaches an HTTP client or the terminal as one clear line with
// a code, never as c10::Error with torch's C++ backtrace. Internal to core/ (includes LibTorch).
#pragma once

#include <string>
#include <string_view>

#include <c10/util/Exception.h>

#include "core/base/error.h"

namespace clippo::model {

// The first line of a LibTorch message, without its backtrace.
inline std::string torch_message(const c10::Error& e) {
  std::string m = e.what_without_backtrace();
  if (const size_t eol = m.find('\n'); eol != std::string::npos) m.resize(eol);
  return m;
}

// True for the errors that mean "no memory for this now", on any device: CUDA's
// OutOfMemoryError, and the CPU allocator's plain c10::Error.
inline bool is_out_of_memory(const c10::Error& e) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e) != nullptr) return true;
  const std::string m = e.what_without_backtrace();
  return m.find("out of memory") != std::string::npos || m.find("can't allocate memory") != std::string::npos ||
         m.find("not enough memory") != std::string::npos;
}

// Runs f() and returns what it returns. A LibTorch error becomes a clippo::Error that names
// `what`: out of memory -> Unavailable (try again later or with a smaller batch; 503 over HTTP),
// any other -> `other` (Internal by default; InvalidArgument where the input decides, such as a
// model file whose arrays do not fit its architecture). clippo::Errors pass through unchanged.
template <class F>
auto with_torch_errors(std::string_view what, F&& f, ErrorCode other = ErrorCode::kInternal) -> decltype(f()) {
  try {
    return f();
  } catch (const c10::Error& e) {
    if (is_out_of_memory(e)) {
      throw Error(ErrorCode::kUnavailable, std::string(what) + ": out of memory (" + torch_message(e) + ")");
    }
    throw Error(other, std::string(what) + ": " + torch_message(e));
  }
}

}  // namespace clippo::model
