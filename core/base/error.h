// The one exception type of the project, its codes, and the two check tiers.
//
// Library code throws clippo::Error on bad input and aborts on a broken invariant
// (CLIPPO_ASSERT), as FAISS does with FAISS_THROW_IF_NOT / FAISS_ASSERT. One way to throw:
// CLIPPO_CHECK(cond, code, message) for a condition, `throw Error(ErrorCode::k..., message)` where
// there is none. Errors from libraries (LibTorch's c10::Error, FreeType codes, FAISS exceptions)
// become an Error at the folder that calls them, so none escapes with a foreign type or trace.
// The CLI turns an Error into one line; the HTTP layer maps its code to a status.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace clippo {

enum class ErrorCode {
  kInvalidArgument,    // bad input from the caller: 400
  kNotFound,           // a file, key or item that does not exist: 404
  kAlreadyExists,      // conflicting write: 409
  kFailedPrecondition, // the system is not in a state to do this (wrong model for an index...)
  kResourceExhausted,  // over a size or pixel budget: 413
  kUnsupportedFormat,  // a file or media type we do not read: 415
  kUnavailable,        // not ready yet, try again: 503
  kInternal,           // our bug or a library failing unexpectedly: 500
};

// Stable snake_case name of a code ("invalid_argument"), used in JSON errors.
std::string_view error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] void assert_failed(const char* expr, const char* file, int line, const char* func);

}  // namespace clippo

// Throws clippo::Error(code, message) when `cond` is false. For caller errors and bad data.
#define CLIPPO_CHECK(cond, code, message)                                      \
  do {                                                                         \
    if (!(cond)) throw ::clippo::Error(::clippo::ErrorCode::code, (message));  \
  } while (false)

// Aborts with file:line when an internal invariant is broken. Never for user data.
#define CLIPPO_ASSERT(cond)                                                    \
  do {                                                                         \
    if (!(cond)) ::clippo::assert_failed(#cond, __FILE__, __LINE__, __func__); \
  } while (false)
