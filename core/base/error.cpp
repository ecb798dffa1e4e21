#include "core/base/error.h"

#include <cstdio>
#include <cstdlib>

namespace clippo {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kUnsupportedFormat: return "unsupported_format";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

void assert_failed(const char* expr, const char* file, int line, const char* func) {
  std::fprintf(stderr, "clippo: internal invariant broken: %s at %s:%d in %s\n", expr, file, line, func);
  std::abort();
}

}  // namespace clippo
