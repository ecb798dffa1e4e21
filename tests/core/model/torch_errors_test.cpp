// LibTorch's exceptions stop at core/model: callers above see one clippo::Error with a code and
// torch's first message line, never c10::Error or its backtrace.
#include "core/model/torch_errors.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace clippo::model {
namespace {

TEST(TorchErrors, AShapeMismatchBecomesAnInternalErrorWithoutTheBacktrace) {
  try {
    with_torch_errors("multiplying", [] { return torch::ones({2, 3}).matmul(torch::ones({2, 3})); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("multiplying: ", 0), 0u) << m;
    EXPECT_NE(m.find("2x3"), std::string::npos) << m;       // torch's own words stay
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;        // one line
    EXPECT_EQ(m.find("Exception raised from"), std::string::npos) << m;
  }
}

TEST(TorchErrors, OutOfMemoryBecomesUnavailable) {
  try {
    with_torch_errors("embedding a batch of 512 on cuda:0", [] {
      TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory. Tried to allocate 20.00 GiB");
    });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(e.what()).find("embedding a batch of 512 on cuda:0: out of memory"), std::string::npos)
        << e.what();
  }
  // The CPU allocator says it with a plain c10::Error.
  try {
    with_torch_errors("x", [] { TORCH_CHECK(false, "DefaultCPUAllocator: can't allocate memory: you tried to allocate 1 TB"); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  }
}

TEST(TorchErrors, TheCallerChoosesTheCodeOfOtherErrorsAndClippoErrorsPassThrough) {
  EXPECT_THROW(
      {
        try {
          with_torch_errors("loading m.npz", [] { TORCH_CHECK(false, "size mismatch"); }, ErrorCode::kInvalidArgument);
        } catch (const Error& e) {
          EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
          throw;
        }
      },
      Error);
  try {
    with_torch_errors("x", [] { throw Error(ErrorCode::kNotFound, "no such file"); });
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_STREQ(e.what(), "no such file");
  }
  EXPECT_EQ(with_torch_errors("x", [] { return 7; }), 7);
}

}  // namespace
}  // namespace clippo::model
